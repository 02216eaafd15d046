"""Two order syncs of two accounts sharing a stock pool, at the same moment, on two connections.

The stock must be committed for a second connection to see it, so this test commits its own
data in a company of its own (distinct SKUs and lot names) and archives its accounts at the end:
nothing of it reaches the other tests' company, and no cron picks the accounts up again.
"""

import threading
from datetime import timedelta
from unittest import mock

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.sql_db import db_connect
from odoo.tests import tagged

from odoo.addons.amazon_fba_kit.models.stock_quant import StockQuant

from ..tools.sp_api_simulator import SpApiSimulator, make_item, make_order
from .common import AmazonFbaKitCommon
from .common_sync import SIM_CLIENT_ID, SIM_CLIENT_SECRET, SIM_REFRESH_TOKEN

DE, FR = "A1PA6795UKMFR9", "A13V1IB3VIYZZH"


@tagged("post_install", "-at_install")
class TestConcurrentAttribution(AmazonFbaKitCommon):
    def setUp(self):
        super().setUp()
        self.sim = SpApiSimulator(
            client_id=SIM_CLIENT_ID,
            client_secret=SIM_CLIENT_SECRET,
            refresh_token=SIM_REFRESH_TOKEN,
            rate_limit=50.0,
        )
        self.sim.start()
        self.addCleanup(self.sim.stop)
        self.dbname = self.env.cr.dbname
        self.tag = fields.Datetime.now().strftime("%H%M%S%f")

    def _committed(self, function):
        """Run ``function(env)`` on a connection of its own, committed when it returns (the
        cursor commits on leaving its ``with`` block)."""
        with db_connect(self.dbname).cursor() as cr:
            cr.execute("SET lock_timeout = '20s'")
            return function(api.Environment(cr, SUPERUSER_ID, {}))

    def _setup(self, env):
        company = env["res.company"].create({"name": f"Amazon Concurrency {self.tag}"})
        warehouse = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
        if not warehouse:
            warehouse = env["stock.warehouse"].create(
                {"name": "Concurrency", "code": "CONC", "company_id": company.id}
            )
        env = env(context={"allowed_company_ids": company.ids})
        Product = env["product.product"]
        serial = Product.create(
            {
                "name": "Concurrent serial",
                "default_code": f"CSN-{self.tag}",
                "is_storable": True,
                "tracking": "serial",
                "company_id": company.id,
            }
        )
        lot_product = Product.create(
            {
                "name": "Concurrent lot",
                "default_code": f"CLOT-{self.tag}",
                "is_storable": True,
                "tracking": "lot",
                "company_id": company.id,
            }
        )
        serial._create_amazon_fba_kit()
        lot_product._create_amazon_fba_kit()
        marketplaces = env["amazon.marketplace"].search([("api_ref", "in", [DE, FR])])
        accounts = env["amazon.account"].create(
            [
                {
                    "name": f"Concurrency {ref} {self.tag}",
                    "company_id": company.id,
                    "seller_id": f"A1CONC{index}",
                    "region": "eu",
                    "lwa_client_id": SIM_CLIENT_ID,
                    "lwa_client_secret": SIM_CLIENT_SECRET,
                    "refresh_token": SIM_REFRESH_TOKEN,
                    "marketplace_ids": [
                        Command.set(marketplaces.filtered(lambda m, r=ref: m.api_ref == r).ids)
                    ],
                    "api_endpoint": self.sim.url,
                    "lwa_endpoint": self.sim.lwa_url,
                    "fba_lot_policy": "fifo",
                    "last_orders_sync": fields.Datetime.now() - timedelta(hours=1),
                }
                for index, ref in enumerate((DE, FR))
            ]
        )
        pool = accounts[0].pool_location_ids
        Quant = env["stock.quant"]
        Lot = env["stock.lot"]
        for n in range(3):
            lot = Lot.create(
                {"name": f"CSN-{self.tag}-{n}", "product_id": serial.id, "company_id": company.id}
            )
            Quant._update_available_quantity(serial, pool, 1, lot_id=lot)
        lot = Lot.create(
            {"name": f"CLOT-{self.tag}", "product_id": lot_product.id, "company_id": company.id}
        )
        Quant._update_available_quantity(lot_product, pool, 3, lot_id=lot)
        return accounts.ids, pool.id, serial.id, lot_product.id

    def _sync_in_thread(self, account_id, results):
        try:
            with db_connect(self.dbname).cursor() as cr:
                cr.execute("SET lock_timeout = '20s'")
                env = api.Environment(cr, SUPERUSER_ID, {})
                run = env["amazon.account"].browse(account_id)._amazon_sync_orders_one()
                results[account_id] = (dict(run.counts), list(run.failures))
        except Exception as exc:  # noqa: BLE001 - reported by the test's assertion
            results[account_id] = exc

    def _cleanup(self, account_ids):
        def archive(env):
            env["amazon.account"].browse(account_ids).write({"active": False})

        self._committed(archive)

    def test_two_accounts_sharing_a_pool_never_take_the_same_unit(self):
        account_ids, pool_id, serial_id, lot_product_id = self._committed(self._setup)
        self.addCleanup(self._cleanup, account_ids)
        when = fields.Datetime.now() - timedelta(minutes=30)
        self.sim.set_orders(
            [
                make_order(
                    f"302-{self.tag[:7]}-000000{index}",
                    marketplace_id=marketplace,
                    created=when,
                    last_updated=when,
                    items=[
                        make_item("I1", f"CSN-{self.tag}", 2, 10.0),
                        make_item("I2", f"CLOT-{self.tag}", 2, 10.0),
                    ],
                )
                for index, marketplace in enumerate((DE, FR))
            ]
        )
        # Both syncs read the pool and lock what they take before either commits.
        barrier = threading.Barrier(2, timeout=30)
        original = StockQuant._amazon_lock
        first_call = {}

        def lock_then_wait(quants):
            held = original(quants)
            if threading.get_ident() not in first_call:
                first_call[threading.get_ident()] = True
                barrier.wait()
            return held

        results = {}
        with mock.patch.object(StockQuant, "_amazon_lock", lock_then_wait):
            threads = [
                threading.Thread(target=self._sync_in_thread, args=(account_id, results))
                for account_id in account_ids
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
        for account_id in account_ids:
            outcome = results.get(account_id)
            self.assertIsInstance(outcome, tuple, f"sync of account {account_id}: {outcome}")
            counts, failures = outcome
            self.assertEqual(counts["booked"], 1, failures)

        def check(env):
            MoveLine = env["stock.move.line"]
            lines = MoveLine.search(
                [
                    ("move_id.amazon_sale_line_id.order_id.amazon_account_id", "in", account_ids),
                    ("state", "=", "done"),
                ]
            )
            serials = lines.filtered(lambda ml: ml.product_id.id == serial_id).lot_id.mapped("name")
            lot_qty = sum(
                lines.filtered(lambda ml: ml.product_id.id == lot_product_id).mapped("quantity")
            )
            negative = env["stock.quant"].search_count(
                [("location_id", "child_of", pool_id), ("quantity", "<", 0)]
            )
            orders = env["sale.order"].search([("amazon_account_id", "in", account_ids)])
            unattributed = sum(orders.mapped("amazon_unattributed_qty"))
            return serials, lot_qty, negative, unattributed

        serials, lot_qty, negative, unattributed = self._committed(check)
        self.assertEqual(len(serials), len(set(serials)), f"a serial sold twice: {serials}")
        self.assertLessEqual(len(serials), 3)
        self.assertLessEqual(lot_qty, 3, "more of the lot attributed than the pool held")
        self.assertEqual(negative, 0, "a quant of the pool went negative")
        self.assertEqual(unattributed, 8 - len(serials) - lot_qty, "the rest stays open")
        self.assertGreaterEqual(len(serials), 2, "one sync at least got its serials")
