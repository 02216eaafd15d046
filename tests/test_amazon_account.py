import psycopg2

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.sql_db import db_connect
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from odoo.addons.base.tests.common import BaseCommon


class AmazonAccountCommon(BaseCommon):
    """Companies with (and without) warehouses, and a factory for Amazon accounts."""

    @classmethod
    def _create_company(cls, name, warehouse_code=None):
        company = cls.env["res.company"].create({"name": name})
        warehouse = cls.env["stock.warehouse"].search([("company_id", "=", company.id)])
        if warehouse_code and not warehouse:
            # Outside test mode Odoo creates no warehouse with a company.
            warehouse = cls.env["stock.warehouse"].create(
                {"name": name, "code": warehouse_code, "company_id": company.id}
            )
        elif not warehouse_code:
            warehouse.active = False
        return company

    @classmethod
    def _account_vals(cls, company, name="Store", **vals):
        return {
            "name": name,
            "company_id": company.id,
            "seller_id": "A1SELLERTEST",
            "lwa_client_id": "amzn1.application-oa2-client.test",
            "marketplace_ids": [
                Command.set(
                    cls.env["amazon.marketplace"].search([("api_ref", "=", "ATVPDKIKX0DER")]).ids
                )
            ],
            **vals,
        }

    @classmethod
    def _create_account(cls, company, name="Store", **vals):
        return cls.env["amazon.account"].create(cls._account_vals(company, name, **vals))

    @classmethod
    def _amazon_locations(cls, warehouse):
        return cls.env["stock.location"].search(
            [("location_id", "=", warehouse.view_location_id.id), ("name", "=", "Amazon")]
        )

    @classmethod
    def _warehouse(cls, company):
        return cls.env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)


@tagged("post_install", "-at_install")
class TestAmazonAccountLocation(AmazonAccountCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls._create_company("Alpha Seller Co", "AMZA")
        cls.company_b = cls._create_company("Bravo Seller Co", "AMZB")
        cls.warehouse_a = cls._warehouse(cls.company_a)
        cls.warehouse_b = cls._warehouse(cls.company_b)

    def test_default_warehouse_gets_wh_amazon(self):
        warehouse = self.env.ref("stock.warehouse0")
        account = self._create_account(warehouse.company_id)
        self.assertEqual(account.warehouse_id, warehouse)
        self.assertEqual(account.location_id.complete_name, "WH/Amazon")

    def test_first_account_creates_location_and_replenishment_type(self):
        self.assertFalse(self._amazon_locations(self.warehouse_a))
        account = self._create_account(self.company_a)
        location = account.location_id
        self.assertEqual(location, self._amazon_locations(self.warehouse_a))
        self.assertEqual(location.complete_name, f"{self.warehouse_a.code}/Amazon")
        self.assertEqual(location.usage, "internal")
        self.assertEqual(location.company_id, self.company_a)
        self.assertEqual(self.warehouse_a.amazon_location_id, location)

        picking_type = account.replenishment_picking_type_id
        self.assertEqual(picking_type, self.warehouse_a.amazon_replenishment_type_id)
        self.assertEqual(picking_type.name, "Amazon FBA Replenishment")
        self.assertEqual(picking_type.code, "internal")
        self.assertEqual(picking_type.sequence_code, "AMZ")
        self.assertEqual(picking_type.default_location_src_id, self.warehouse_a.lot_stock_id)
        self.assertEqual(picking_type.default_location_dest_id, location)
        self.assertEqual(picking_type.warehouse_id, self.warehouse_a)
        self.assertEqual(picking_type.company_id, self.company_a)

    def test_later_account_reuses_location(self):
        first = self._create_account(self.company_a, "Store US")
        second = self._create_account(self.company_a, "Store EU", region="eu")
        self.assertEqual(second.location_id, first.location_id)
        self.assertEqual(second.replenishment_picking_type_id, first.replenishment_picking_type_id)
        self.assertEqual(len(self._amazon_locations(self.warehouse_a)), 1)
        self.assertEqual(
            self.env["stock.picking.type"].search_count(
                [("warehouse_id", "=", self.warehouse_a.id), ("sequence_code", "=", "AMZ")]
            ),
            1,
        )

    def test_other_company_gets_its_own_location(self):
        account_a = self._create_account(self.company_a)
        account_b = self._create_account(self.company_b)
        self.assertNotEqual(account_a.location_id, account_b.location_id)
        self.assertEqual(account_b.location_id.complete_name, f"{self.warehouse_b.code}/Amazon")
        self.assertEqual(account_b.location_id.company_id, self.company_b)
        self.assertEqual(account_b.replenishment_picking_type_id.company_id, self.company_b)

    def test_company_without_warehouse(self):
        company = self._create_company("Amazon Test No Warehouse")
        self.assertFalse(self._warehouse(company))
        with self.assertRaisesRegex(UserError, "has no warehouse"):
            self._create_account(company)

    def test_accounts_created_in_one_call(self):
        accounts = self.env["amazon.account"].create(
            [
                self._account_vals(self.company_a, "A1"),
                self._account_vals(self.company_b, "B1"),
                self._account_vals(self.company_a, "A2"),
                self._account_vals(self.company_b, "B2"),
            ]
        )
        a1, b1, a2, b2 = accounts
        self.assertEqual(a1.location_id, a2.location_id)
        self.assertEqual(b1.location_id, b2.location_id)
        self.assertNotEqual(a1.location_id, b1.location_id)
        self.assertEqual(len(self._amazon_locations(self.warehouse_a)), 1)
        self.assertEqual(len(self._amazon_locations(self.warehouse_b)), 1)

    def test_location_creation_locks_the_warehouse(self):
        """Another transaction cannot create the location while this one holds the warehouse."""
        warehouse = self.env.ref("stock.warehouse0")
        warehouse._get_amazon_location()
        with db_connect(self.env.cr.dbname).cursor() as other_cr:
            with self.assertRaises(psycopg2.errors.LockNotAvailable), mute_logger("odoo.sql_db"):
                other_cr.execute(
                    "SELECT id FROM stock_warehouse WHERE id = %s FOR UPDATE NOWAIT", [warehouse.id]
                )
            other_cr.rollback()

    def test_change_warehouse_relinks_location(self):
        account = self._create_account(self.company_a)
        other = self.env["stock.warehouse"].create(
            {"name": "Second A", "code": "AMZA2", "company_id": self.company_a.id}
        )
        account.warehouse_id = other
        self.assertEqual(account.location_id.complete_name, "AMZA2/Amazon")
        self.assertEqual(account.replenishment_picking_type_id.warehouse_id, other)

    def test_endpoints_must_be_http_urls(self):
        account = self._create_account(self.company_a)
        account.write(
            {"api_endpoint": "http://127.0.0.1:8123", "lwa_endpoint": "https://example.test/t"}
        )
        for fname in ("api_endpoint", "lwa_endpoint"):
            with self.assertRaisesRegex(ValidationError, r"http:// or https://"):
                account[fname] = "ftp://127.0.0.1"
        account.write({"api_endpoint": False, "lwa_endpoint": False})


@tagged("post_install", "-at_install")
class TestAmazonReplenishment(AmazonAccountCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account = cls._create_account(cls.env.company)
        cls.warehouse = cls.account.warehouse_id
        cls.product = cls.env["product.product"].create(
            {"name": "Vitamin D3", "is_storable": True, "tracking": "lot"}
        )
        cls.lot_1, cls.lot_2 = cls.env["stock.lot"].create(
            [
                {"name": "LOT-D3-001", "product_id": cls.product.id},
                {"name": "LOT-D3-002", "product_id": cls.product.id},
            ]
        )
        for lot in (cls.lot_1, cls.lot_2):
            cls.env["stock.quant"]._update_available_quantity(
                cls.product, cls.warehouse.lot_stock_id, 5, lot_id=lot
            )

    def _new_replenishment(self, quantity):
        action = self.account.action_open_replenishment()
        self.assertEqual(action["res_model"], "stock.picking")
        form = Form(self.env["stock.picking"].with_context(**action["context"]))
        # The account's one marketplace has its stock pool under WH/Amazon, and its own type.
        pool = self.account._amazon_pool_location(self.account.marketplace_ids)
        self.assertEqual(pool.location_id, self.account.location_id)
        self.assertEqual(form.picking_type_id, pool.amazon_replenishment_type_id)
        self.assertEqual(form.location_id, self.warehouse.lot_stock_id)
        self.assertEqual(form.location_dest_id, pool)
        with form.move_ids_without_package.new() as move:
            move.product_id = self.product
            move.product_uom_qty = quantity
        return form.save()

    def test_replenishment_moves_lots_to_amazon(self):
        picking = self._new_replenishment(8)
        picking.action_confirm()
        picking.move_ids.move_line_ids.unlink()
        stock = self.warehouse.lot_stock_id
        picking.move_ids.move_line_ids = [
            Command.create(
                {
                    "move_id": picking.move_ids.id,
                    "picking_id": picking.id,
                    "product_id": self.product.id,
                    "lot_id": lot.id,
                    "quantity": quantity,
                    "location_id": stock.id,
                    "location_dest_id": self.account.location_id.id,
                }
            )
            for lot, quantity in ((self.lot_1, 5), (self.lot_2, 3))
        ]
        picking.button_validate()
        self.assertEqual(picking.state, "done")

        amazon = self.account.location_id
        quants = self.env["stock.quant"].search(
            [("product_id", "=", self.product.id), ("location_id", "=", amazon.id)]
        )
        self.assertEqual({q.lot_id: q.quantity for q in quants}, {self.lot_1: 5, self.lot_2: 3})
        self.assertEqual(self.product.with_context(location=stock.id).qty_available, 2)

        # Traceability reads done move lines: each lot shows the transfer into WH/Amazon.
        for lot, quantity in ((self.lot_1, 5), (self.lot_2, 3)):
            move_line = self.env["stock.move.line"].search(
                [("lot_id", "=", lot.id), ("location_dest_id", "=", amazon.id)]
            )
            self.assertEqual(move_line.picking_id, picking)
            self.assertEqual((move_line.state, move_line.quantity), ("done", quantity))
            lines = (
                self.env["stock.traceability.report"]
                .with_context(model="stock.lot", active_id=lot.id)
                .get_lines()
            )
            into_amazon = [
                line
                for line in lines
                if line["res_model"] == "stock.picking" and line["res_id"] == picking.id
            ]
            self.assertEqual(len(into_amazon), 1)
            self.assertEqual(into_amazon[0]["columns"][5], "Amazon")

    def test_replenishment_reserves_lots_like_any_transfer(self):
        picking = self._new_replenishment(7)
        picking.action_confirm()
        picking.action_assign()
        self.assertEqual(picking.state, "assigned")
        self.assertEqual(picking.move_ids.move_line_ids.lot_id, self.lot_1 | self.lot_2)
        picking.button_validate()
        self.assertEqual(
            self.product.with_context(location=self.account.location_id.id).qty_available, 7
        )

    def test_replenishment_refuses_tracked_product_without_lot(self):
        picking = self._new_replenishment(2)
        picking.action_confirm()
        picking.move_ids.move_line_ids.unlink()
        picking.move_ids.move_line_ids = [
            Command.create(
                {
                    "move_id": picking.move_ids.id,
                    "picking_id": picking.id,
                    "product_id": self.product.id,
                    "quantity": 2,
                    "location_id": self.warehouse.lot_stock_id.id,
                    "location_dest_id": self.account.location_id.id,
                }
            )
        ]
        with self.assertRaisesRegex(UserError, "Lot/Serial"):
            picking.button_validate()

    def test_replenishment_needs_a_picking_type(self):
        company = self._create_company("Amazon Test Custom Location", "AMZC")
        location = self.env["stock.location"].create(
            {"name": "Elsewhere", "usage": "internal", "company_id": company.id}
        )
        account = self._create_account(company, location_id=location.id)
        self.assertEqual(account.location_id, location)
        # Its marketplace's pool, under that location, gets its replenishment type.
        pool = account._amazon_pool_location(account.marketplace_ids)
        self.assertEqual(pool.location_id, location)
        context = account.action_open_replenishment()["context"]
        self.assertEqual(context["default_picking_type_id"], pool.amazon_replenishment_type_id.id)
        self.assertEqual(context["default_location_dest_id"], pool.id)
