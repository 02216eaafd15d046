from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, tagged

from ..tools.sp_api_simulator import SpApiSimulator, make_item, make_order


@tagged("post_install", "-at_install")
class TestAmazonTours(HttpCase):
    """What a person does in the browser, on an account pointed at the local SP-API simulator."""

    def setUp(self):
        super().setUp()
        self.sim = SpApiSimulator(
            client_id="amzn1.application-oa2-client.tour",
            client_secret="fake.tour.secret",
            refresh_token="Atzr|fake.tour.refresh",
            rate_limit=50.0,
        )
        self.sim.start()
        self.addCleanup(self.sim.stop)
        self.omega = self.env["product.product"].create(
            {
                "name": "Tour Omega-3",
                "default_code": "TOUR-OMEGA",
                "is_storable": True,
                "tracking": "lot",
            }
        )
        self.account = self.env["amazon.account"].create(
            {
                "name": "Tour US",
                "seller_id": "A1TOURSELLER",
                "lwa_client_id": "amzn1.application-oa2-client.tour",
                "lwa_client_secret": "fake.tour.secret",
                "refresh_token": "Atzr|fake.tour.refresh",
                "api_endpoint": self.sim.url,
                "lwa_endpoint": self.sim.lwa_url,
                "marketplace_ids": [
                    Command.set(
                        self.env["amazon.marketplace"]
                        .search([("api_ref", "=", "ATVPDKIKX0DER")])
                        .ids
                    )
                ],
                "last_orders_sync": fields.Datetime.now() - timedelta(hours=1),
            }
        )
        when = fields.Datetime.now() - timedelta(minutes=30)
        self.sim.set_orders(
            [
                make_order(
                    "112-7770000-0000001",
                    items=[make_item("I1", "TOUR-OMEGA", 2, 17.5)],
                    created=when,
                    last_updated=when,
                )
            ]
        )

    def test_sync_error_create_kit_tour(self):
        """A person turns a missing-kit sync error into a booked order from the browser."""
        self.account._amazon_sync_orders_one()
        error = self.env["amazon.sync.error"].search([("account_id", "=", self.account.id)])
        self.assertEqual(error.kind, "missing_kit")

        self.start_tour("/odoo", "amazon_sync_error_tour", login="admin")

        self.assertEqual(error.state, "resolved")
        line = error.sale_order_id.order_line
        self.assertEqual(line.product_id.name, "Tour Omega-3 (Amazon FBA kit)")
        self.assertEqual(line.amazon_tracked_product_id, self.omega)
        self.assertEqual(line.move_ids.state, "done")

    def test_amazon_screens_render(self):
        """Every Amazon screen opens in the browser without a client error, with real data."""
        self.omega._create_amazon_fba_kit()
        self.account.fba_lot_policy = "fifo"
        self.account._amazon_sync_orders_one()
        order = self.env["sale.order"].search([("amazon_account_id", "=", self.account.id)])
        self.assertEqual(order.order_line.amazon_unattributed_qty, 2, "no Omega-3 at Amazon yet")
        lot = self.env["stock.lot"].create({"name": "TOUR-LOT-1", "product_id": self.omega.id})
        for url in (
            f"/odoo/action-amazon_fba_kit.amazon_account_action/{self.account.id}",
            "/odoo/action-amazon_fba_kit.amazon_offer_action",
            "/odoo/action-amazon_fba_kit.amazon_sync_error_action",
            "/odoo/action-amazon_fba_kit.amazon_fba_inventory_action",
            "/odoo/action-amazon_fba_kit.amazon_marketplace_action",
            "/odoo/action-amazon_fba_kit.stock_lot_amazon_recall_action",
            f"/odoo/action-stock.action_production_lot_form/{lot.id}",
        ):
            with self.subTest(url=url):
                self.start_tour(url, "amazon_fba_kit_view_tour", login="admin")
        self.start_tour(
            f"/odoo/action-sale.action_orders/{order.id}", "amazon_order_tab_tour", login="admin"
        )
        self.start_tour(
            f"/odoo/action-stock.action_production_lot_form/{lot.id}",
            "amazon_lot_recall_tour",
            login="admin",
        )
