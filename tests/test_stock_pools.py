"""Fulfilment-network stock pools: one sub-location of WH/Amazon per network, used per order."""

import importlib.util
from pathlib import Path

from odoo import Command
from odoo.tests import tagged

from .common_inventory import AmazonInventoryCase
from .common_sync import SIM_CLIENT_ID, SIM_CLIENT_SECRET, SIM_REFRESH_TOKEN

DE, FR, GB = "A1PA6795UKMFR9", "A13V1IB3VIYZZH", "A1F83G8C2ARO7P"


@tagged("post_install", "-at_install")
class TestStockPools(AmazonInventoryCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Marketplace = cls.env["amazon.marketplace"]
        cls.de, cls.fr, cls.gb = (
            Marketplace.search([("api_ref", "=", ref)]) for ref in (DE, FR, GB)
        )
        cls.eu_account = cls.env["amazon.account"].create(
            {
                "name": "Test EU",
                "seller_id": "A1SELLEREU",
                "region": "eu",
                "lwa_client_id": SIM_CLIENT_ID,
                "lwa_client_secret": SIM_CLIENT_SECRET,
                "refresh_token": SIM_REFRESH_TOKEN,
                "marketplace_ids": [Command.set((cls.de | cls.fr | cls.gb).ids)],
                "api_endpoint": cls.sim.url,
                "lwa_endpoint": cls.sim.lwa_url,
                "fba_lot_policy": "fifo",
            }
        )
        cls.eu_pool = cls.eu_account._amazon_pool_location(cls.de)
        cls.uk_pool = cls.eu_account._amazon_pool_location(cls.gb)

    def test_pools_follow_amazon_networks(self):
        self.assertEqual(self.de.fulfilment_network, "EU")
        self.assertEqual(self.gb.fulfilment_network, "UK")
        self.assertEqual(self.us.fulfilment_network, "US")
        self.assertEqual(self.eu_account._amazon_pool_location(self.fr), self.eu_pool)
        self.assertEqual(self.eu_pool.complete_name, "WH/Amazon/EU")
        self.assertEqual(self.uk_pool.complete_name, "WH/Amazon/UK")
        self.assertEqual(self.eu_account.pool_location_ids, self.eu_pool | self.uk_pool)
        for pool in (self.eu_pool, self.uk_pool, self.amazon_location):
            self.assertEqual(pool.location_id, self.eu_account.location_id, "WH/Amazon: parent")
            self.assertEqual(pool.usage, "internal")
            picking_type = pool.amazon_replenishment_type_id
            self.assertEqual(picking_type.default_location_dest_id, pool)
            self.assertEqual(picking_type.code, "internal")
        self.assertEqual(
            self.account.location_id, self.eu_account.location_id, "accounts share WH/Amazon"
        )

    def test_network_change_makes_its_own_pool(self):
        """A seller outside Pan-EU: France gets its own pool."""
        self.fr.fulfilment_network = "FR"
        fr_pool = self.eu_account._amazon_pool_location(self.fr)
        self.assertEqual(fr_pool.complete_name, "WH/Amazon/FR")
        self.assertEqual(fr_pool.amazon_replenishment_type_id.default_location_dest_id, fr_pool)
        self.assertEqual(self.eu_account._amazon_pool_location(self.de), self.eu_pool)
        self.eu_account.invalidate_recordset(["pool_location_ids"])
        self.assertIn(fr_pool, self.eu_account.pool_location_ids)

    def test_order_consumes_its_marketplace_pool(self):
        old, new = self._lots(self.lot_product, "EU-OLD", "UK-NEW")
        self._arrive(self.lot_product, 2, lot=old, days_ago=30, location=self.eu_pool)
        self._arrive(self.lot_product, 2, lot=new, days_ago=5, location=self.uk_pool)
        self.sim.set_orders(
            [
                self._order(
                    "202-3000001-0000001",
                    [self._item("I1", "VITC-500", 1)],
                    marketplace_id=GB,
                )
            ]
        )
        run = self._sync(self.eu_account)
        self.assertEqual(run.counts["booked"], 1, run.failures)
        order = self._sale("202-3000001-0000001", account=self.eu_account)
        self.assertEqual(order.amazon_marketplace_id, self.gb)
        self.assertEqual(order.order_line.move_ids.location_id, self.uk_pool)
        lines = order.amazon_lot_line_ids
        self.assertEqual(lines.lot_id, new, "FIFO stays in the UK pool: the older EU lot stays")
        self.assertEqual(lines.location_id, self.uk_pool)
        self.assertEqual(self._on_hand(self.lot_product, old, location=self.eu_pool), 2)
        self.assertEqual(self._on_hand(self.lot_product, new, location=self.uk_pool), 1)

    def test_inventory_compares_each_pool_once(self):
        self._put(self.plain_product, 5, location=self.eu_pool)
        self._put(self.plain_product, 2, location=self.uk_pool)
        stale = self.env["amazon.fba.inventory"].create(
            {"account_id": self.eu_account.id, "marketplace_id": self.fr.id, "sku": "SHAKER"}
        )  # a row per marketplace, as pulled before the pools
        self.sim.set_inventory([self._summary("SHAKER", fulfillable=4)])
        pulls = self._pull(self.eu_account)
        self.assertFalse(stale.exists(), "the EU pool is compared through DE only")
        self.assertEqual(len(pulls), 2, "one pull per pool, not per marketplace")
        asked = sorted(r["params"]["granularityId"] for r in self._inventory_requests())
        self.assertEqual(asked, sorted([DE, GB]))
        rows = self.env["amazon.fba.inventory"].search(
            [("account_id", "=", self.eu_account.id), ("sku", "=", "SHAKER")]
        )
        by_pool = {row.location_id: row for row in rows}
        self.assertEqual(set(by_pool), {self.eu_pool, self.uk_pool})
        self.assertEqual(
            (by_pool[self.eu_pool].odoo_qty, by_pool[self.eu_pool].state), (5, "short")
        )
        self.assertEqual(
            (by_pool[self.uk_pool].odoo_qty, by_pool[self.uk_pool].state), (2, "excess")
        )
        self.assertIn("WH/Amazon/EU", self.eu_account.last_inventory_message)
        self.assertTrue(self.eu_account.last_inventory_sync, "every pool pulled: complete")

        action = by_pool[self.eu_pool].action_open_adjust()
        wizard = self.env[action["res_model"]].browse(action["res_id"])
        self.assertEqual(wizard.line_ids.location_id, self.eu_pool)
        wizard.action_apply()
        self.assertEqual(self._on_hand(self.plain_product, location=self.eu_pool), 4)
        self.assertEqual(self._on_hand(self.plain_product, location=self.uk_pool), 2, "untouched")

    def test_replenishment_button_targets_the_pool(self):
        action = self.account.action_open_replenishment()
        picking_type = self.amazon_location.amazon_replenishment_type_id
        self.assertEqual(action["context"]["default_picking_type_id"], picking_type.id)
        self.assertEqual(action["context"]["default_location_dest_id"], self.amazon_location.id)
        several = self.eu_account.action_open_replenishment()
        self.assertEqual(several["res_model"], "stock.picking.type")
        self.assertEqual(
            self.env["stock.picking.type"].search(several["domain"]),
            (self.eu_pool | self.uk_pool).amazon_replenishment_type_id,
        )


@tagged("post_install", "-at_install")
class TestStockPoolsMigration(AmazonInventoryCase):
    def test_single_pool_stock_moves_into_its_pool(self):
        parent = self.account.location_id
        old, new = self._lots(self.lot_product, "MIG-OLD", "MIG-NEW")
        self._arrive(self.lot_product, 3, lot=new, days_ago=5, location=parent)
        self._arrive(self.lot_product, 2, lot=old, days_ago=40, location=parent)
        package = self.env["stock.quant.package"].create({"name": "MIG-CARTON"})
        self.env["stock.quant"]._update_available_quantity(
            self.plain_product, parent, 4, package_id=package
        )
        result = self.env["amazon.account"]._amazon_migrate_to_pools()
        self.assertEqual(result[parent], self.amazon_location)
        self.assertFalse(
            self.env["stock.quant"].search(
                [("location_id", "=", parent.id), ("quantity", "!=", 0)]
            ),
            "nothing left at WH/Amazon itself",
        )
        self.assertEqual(self._on_hand(self.lot_product, new), 3)
        self.assertEqual(self._on_hand(self.lot_product, old), 2)
        carton = self.env["stock.quant"].search(
            [("product_id", "=", self.plain_product.id), ("package_id", "=", package.id)]
        )
        self.assertEqual((carton.location_id, carton.quantity), (self.amazon_location, 4))
        fifo = self.env["stock.quant"]._amazon_lots_by_policy(
            self.lot_product, self.amazon_location, "fifo"
        )
        self.assertEqual([lot for lot, _qty in fifo], [old, new], "arrival at Amazon kept")

    def test_several_pools_are_told_to_split(self):
        self.account.marketplace_ids = [
            Command.link(self.env["amazon.marketplace"].search([("api_ref", "=", DE)]).id)
        ]
        parent = self.account.location_id
        self._put(self.plain_product, 6, location=parent)
        result = self.env["amazon.account"]._amazon_migrate_to_pools()
        self.assertFalse(result[parent])
        self.assertEqual(
            self.env["stock.quant"]
            .search([("location_id", "=", parent.id), ("product_id", "=", self.plain_product.id)])
            .quantity,
            6,
            "stock is not guessed into a pool",
        )
        message = self.account.message_ids[:1].body
        self.assertIn("move each to the pool", message)
        self.assertIn("WH/Amazon/US", message)

    def test_open_moves_take_their_marketplace_pool(self):
        self.account.fba_lot_policy = "fifo"
        self.sim.set_orders([self._order("111-3000001-0000001", [self._item("I1", "VITC-500", 1)])])
        self._sync()
        order = self._sale("111-3000001-0000001")
        open_move = order.order_line.amazon_component_move_ids
        self.assertEqual(order.amazon_unattributed_qty, 1)
        open_move.location_id = self.account.location_id  # as booked before 18.0.1.1.0
        self.env["amazon.account"]._amazon_migrate_to_pools()
        self.assertEqual(open_move.location_id, self.amazon_location)

    def test_migration_script_runs_the_migration(self):
        path = Path(__file__).parents[1] / "migrations" / "18.0.1.1.0" / "post-migration.py"
        spec = importlib.util.spec_from_file_location("amazon_fba_kit_pools_migration", path)
        script = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(script)
        parent = self.account.location_id
        self._put(self.plain_product, 2, location=parent)
        script.migrate(self.env.cr, None)  # a fresh install: nothing to migrate
        self.assertEqual(self._on_hand(self.plain_product, location=parent), 2)
        script.migrate(self.env.cr, "18.0.1.0.0")
        self.assertEqual(self._on_hand(self.plain_product, location=parent), 0)
        self.assertEqual(self._on_hand(self.plain_product), 2)
