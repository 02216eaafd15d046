"""Base class of the order-sync tests: real Odoo, real python-amazon-sp-api, a local simulator."""

from datetime import timedelta

from odoo import Command, fields

from ..tools.sp_api_simulator import SpApiSimulator, make_item, make_order
from .common import AmazonFbaKitCommon

SIM_CLIENT_ID = "amzn1.application-oa2-client.fake-test-id"
SIM_CLIENT_SECRET = "fake-test-secret"
SIM_REFRESH_TOKEN = "Atzr|fake.test.refresh"


class AmazonSyncCase(AmazonFbaKitCommon):
    """Company with WH/Amazon, an account pointed at a running simulator, products and kits."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sim = SpApiSimulator(
            client_id=SIM_CLIENT_ID,
            client_secret=SIM_CLIENT_SECRET,
            refresh_token=SIM_REFRESH_TOKEN,
            rate_limit=50.0,  # the header the client honours: keeps 429 tests fast
        )
        cls.sim.start()
        cls.addClassCleanup(cls.sim.stop)
        cls.company = cls.env.company
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.us = cls.env["amazon.marketplace"].search([("api_ref", "=", "ATVPDKIKX0DER")])
        cls.account = cls.env["amazon.account"].create(
            {
                "name": "Test US",
                "seller_id": "A1SELLERTEST",
                "region": "na",
                "lwa_client_id": SIM_CLIENT_ID,
                "lwa_client_secret": SIM_CLIENT_SECRET,
                "refresh_token": SIM_REFRESH_TOKEN,
                "marketplace_ids": [Command.set(cls.us.ids)],
                "api_endpoint": cls.sim.url,
                "lwa_endpoint": cls.sim.lwa_url,
                "last_orders_sync": fields.Datetime.now() - timedelta(hours=1),
            }
        )
        # FBA orders of the US marketplace consume from its pool, WH/Amazon/US.
        cls.amazon_location = cls.account._amazon_pool_location(cls.us)
        Product = cls.env["product.product"]
        cls.lot_product = Product.create(
            {
                "name": "Vitamin C 500mg",
                "default_code": "VITC-500",
                "is_storable": True,
                "tracking": "lot",
                "list_price": 12.0,
            }
        )
        cls.serial_product = Product.create(
            {
                "name": "Blood Pressure Monitor",
                "default_code": "BPM-1",
                "is_storable": True,
                "tracking": "serial",
                "list_price": 40.0,
            }
        )
        cls.plain_product = Product.create(
            {"name": "Shaker Bottle", "default_code": "SHAKER", "is_storable": True}
        )
        cls.lot_kit = cls.lot_product._create_amazon_fba_kit()
        cls.serial_kit = cls.serial_product._create_amazon_fba_kit()

    def setUp(self):
        super().setUp()
        self.sim.set_orders([])
        self.sim.requests.clear()

    # helpers ----------------------------------------------------------------------------------

    def _ago(self, minutes):
        return fields.Datetime.now() - timedelta(minutes=minutes)

    def _order(self, ref, items, minutes_ago=30, **kwargs):
        when = self._ago(minutes_ago)
        kwargs.setdefault("created", when)
        kwargs.setdefault("last_updated", when)
        return make_order(ref, items=items, **kwargs)

    def _item(self, item_ref, sku, quantity=1, unit_price=10.0, **kwargs):
        return make_item(item_ref, sku, quantity, unit_price, **kwargs)

    def _sync(self, account=None):
        return (account or self.account)._amazon_sync_orders_one()

    def _sale(self, ref, account=None):
        return self.env["sale.order"].search(
            [
                ("amazon_account_id", "=", (account or self.account).id),
                ("amazon_order_ref", "=", ref),
            ]
        )

    def _error(self, ref):
        return self.env["amazon.sync.error"].search(
            [("account_id", "=", self.account.id), ("amazon_order_ref", "=", ref)]
        )
