import json
from datetime import timedelta

from odoo import fields
from odoo.sql_db import db_connect
from odoo.tests import tagged

from ..models.amazon_account_orders import SYNC_LOCK_NAMESPACE
from .common_sync import AmazonSyncCase


@tagged("post_install", "-at_install")
class TestOrderSyncFba(AmazonSyncCase):
    def test_fba_lot_tracked_sells_the_kit(self):
        raw = self._order("111-0000001-0000001", [self._item("I1", "VITC-500", 2)])
        self.sim.set_orders([raw])
        run = self._sync()
        self.assertEqual(run.counts["booked"], 1, run.failures)
        order = self._sale("111-0000001-0000001")
        self.assertEqual(order.state, "sale")
        self.assertTrue(order.locked)
        self.assertEqual(order.amazon_fulfilled_by, "amazon")
        self.assertFalse(order.picking_ids, "an FBA order has no delivery to pick")
        line = order.order_line
        self.assertEqual(line.product_id, self.lot_kit)
        self.assertEqual(line.product_uom_qty, 2)
        self.assertEqual(line.amazon_tracked_product_id, self.lot_product)
        self.assertEqual(line.amazon_item_ref, "I1")
        # Amazon's purchase date, not the booking time.
        self.assertEqual(
            fields.Datetime.to_string(order.date_order), raw["createdTime"][:19].replace("T", " ")
        )
        self.assertEqual(line.qty_delivered, 2)
        move = line.move_ids
        self.assertEqual(move.state, "done")
        self.assertEqual(move.product_id, self.lot_kit)
        self.assertEqual(move.location_id, self.amazon_location)
        self.assertEqual(move.location_dest_id.usage, "customer")
        self.assertFalse(self._error("111-0000001-0000001"))

    def test_fba_serial_tracked_quantity_three(self):
        self.sim.set_orders([self._order("111-0000002-0000001", [self._item("I1", "BPM-1", 3)])])
        self._sync()
        line = self._sale("111-0000002-0000001").order_line
        self.assertEqual(line.product_id, self.serial_kit)
        self.assertEqual(line.product_uom_qty, 3)
        self.assertEqual(line.qty_delivered, 3)
        self.assertEqual(line.amazon_tracked_product_id, self.serial_product)

    def test_fba_untracked_product_sold_as_is(self):
        self.sim.set_orders([self._order("111-0000003-0000001", [self._item("I1", "SHAKER", 1)])])
        self._sync()
        line = self._sale("111-0000003-0000001").order_line
        self.assertEqual(line.product_id, self.plain_product)
        self.assertFalse(line.amazon_tracked_product_id)
        self.assertEqual(line.move_ids.state, "done")
        self.assertEqual(line.move_ids.location_id, self.amazon_location)

    def test_fba_multipack_kit(self):
        """A 2-pack: the offer points at the kit; one Amazon unit is one kit of two units."""
        two_pack = self._create_kit(
            self.lot_product, qty=2, name="Vitamin C 2-pack", default_code="VITC-2PK"
        )
        self.sim.set_orders(
            [
                self._order("111-0000004-0000001", [self._item("I1", "VITC-2PK", 1, 20.0)]),
                # VITC-500 now has two kits: which one Amazon sold cannot be told.
                self._order("111-0000004-0000002", [self._item("I1", "VITC-500", 1)]),
            ]
        )
        self._sync()
        line = self._sale("111-0000004-0000001").order_line
        self.assertEqual(line.product_id, two_pack)
        self.assertEqual(line.product_uom_qty, 1)
        self.assertEqual(line.price_unit, 20.0)
        self.assertEqual(line.amazon_tracked_product_id, self.lot_product)
        self.assertFalse(self._sale("111-0000004-0000002"))
        error = self._error("111-0000004-0000002")
        self.assertEqual(error.kind, "ambiguous_kit")
        self.assertIn("several Amazon FBA kits", error.message)

    def test_pending_fba_order_waits(self):
        self.sim.set_orders(
            [self._order("111-0000005-0000001", [self._item("I1", "VITC-500")], status="PENDING")]
        )
        run = self._sync()
        self.assertEqual(run.counts["pending"], 1)
        self.assertFalse(self._sale("111-0000005-0000001"))
        self.assertFalse(self._error("111-0000005-0000001"))


@tagged("post_install", "-at_install")
class TestOrderSyncFbm(AmazonSyncCase):
    def test_fbm_order_gets_a_normal_delivery_then_cancellation(self):
        raw = self._order(
            "111-0000010-0000001",
            [self._item("I1", "VITC-500", 2)],
            fulfilled_by="MERCHANT",
            status="UNSHIPPED",
        )
        self.sim.set_orders([raw])
        self._sync()
        order = self._sale("111-0000010-0000001")
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.amazon_fulfilled_by, "merchant")
        # FBM ships from the warehouse: the tracked product itself, lots chosen when picking.
        self.assertEqual(order.order_line.product_id, self.lot_product)
        self.assertFalse(order.order_line.amazon_tracked_product_id)
        picking = order.picking_ids
        self.assertEqual(len(picking), 1)
        self.assertEqual(picking.location_id, self.warehouse.lot_stock_id)
        self.assertNotEqual(picking.state, "done")

        # Amazon cancels it; the update arrives in the next run.
        cancelled = self._order(
            "111-0000010-0000001",
            [self._item("I1", "VITC-500", 2)],
            fulfilled_by="MERCHANT",
            status="CANCELLED",
            minutes_ago=5,
        )
        self.sim.set_orders([cancelled])
        run = self._sync()
        self.assertEqual(run.counts["cancelled"], 1)
        self.assertEqual(order.state, "cancel")
        self.assertEqual(picking.state, "cancel")

    def test_unknown_cancelled_order_is_ignored(self):
        self.sim.set_orders(
            [self._order("111-0000011-0000001", [self._item("I1", "SHAKER")], status="CANCELLED")]
        )
        run = self._sync()
        self.assertEqual(run.counts["ignored"], 1)
        self.assertFalse(self._sale("111-0000011-0000001"))
        self.assertFalse(self._error("111-0000011-0000001"))


@tagged("post_install", "-at_install")
class TestOrderSyncRobustness(AmazonSyncCase):
    def test_three_pages(self):
        self.sim.page_size = 2
        self.sim.set_orders(
            [self._order(f"111-0000020-000000{i}", [self._item("I1", "SHAKER")]) for i in range(5)]
        )
        run = self._sync()
        self.assertEqual(run.counts["booked"], 5, run.failures)
        searches = [r for r in self.sim.requests if r["path"].startswith("/orders/")]
        self.assertEqual(len(searches), 3)
        self.assertFalse(self.account.orders_sync_token)

    def test_throttled_then_success(self):
        self.sim.set_orders([self._order("111-0000021-0000001", [self._item("I1", "SHAKER")])])
        self.sim.throttle_next(1)
        run = self._sync()
        self.assertEqual(run.counts["booked"], 1, run.failures)
        statuses = [r["status"] for r in self.sim.requests if r["path"].startswith("/orders/")]
        self.assertEqual(statuses, [429, 200])

    def test_malformed_order_is_kept_and_others_book(self):
        good = self._order("111-0000022-0000001", [self._item("I1", "SHAKER")])
        bad = self._order("111-0000022-0000002", [self._item("I1", "SHAKER")])
        bad["orderItems"][0]["quantityOrdered"] = "two"
        good2 = self._order("111-0000022-0000003", [self._item("I1", "SHAKER")])
        self.sim.set_orders([good, bad, good2])
        run = self._sync()
        self.assertEqual(run.counts["booked"], 2)
        self.assertTrue(self._sale("111-0000022-0000001"))
        self.assertTrue(self._sale("111-0000022-0000003"))
        error = self._error("111-0000022-0000002")
        self.assertEqual(error.kind, "malformed")
        self.assertEqual(error.state, "open")
        self.assertIn("quantityOrdered", error.message)
        self.assertEqual(json.loads(error.payload), bad)
        # The watermark moved: nothing is lost because the error keeps the payload.
        self.assertFalse(self.account.orders_sync_token)
        self._sync()
        self.assertEqual(error.attempt_count, 1, "retried after a backoff, not at every run")
        error.next_attempt = self._ago(1)
        self._sync()
        self.assertEqual(error.attempt_count, 2)

    def test_missing_kit_then_kit_created_and_retry_books(self):
        omega = self.env["product.product"].create(
            {"name": "Omega-3", "default_code": "OMEGA3", "is_storable": True, "tracking": "lot"}
        )
        self.sim.set_orders([self._order("111-0000023-0000001", [self._item("I1", "OMEGA3", 1)])])
        run = self._sync()
        self.assertEqual(run.counts["failed"], 1)
        error = self._error("111-0000023-0000001")
        self.assertEqual(error.kind, "missing_kit")
        self.assertEqual(error.product_id, omega)
        self.assertIn("Omega-3", error.message)
        self.assertIn("Create its Amazon FBA kit", error.message)
        self.assertFalse(self._sale("111-0000023-0000001"))

        # Amazon does not send the order again: the stored payload is what books it.
        self.sim.set_orders([])
        error.action_create_fba_kit()
        self.assertEqual(error.state, "resolved")
        order = self._sale("111-0000023-0000001")
        self.assertEqual(error.sale_order_id, order)
        self.assertEqual(order.order_line.amazon_tracked_product_id, omega)
        self.assertTrue(order.order_line.product_id.amazon_fba_kit)

    def test_unknown_sku_then_offer_linked_and_next_run_books(self):
        self.sim.set_orders([self._order("111-0000024-0000001", [self._item("I1", "NOPE-1")])])
        self._sync()
        error = self._error("111-0000024-0000001")
        self.assertEqual(error.kind, "unknown_sku")
        offer = error.offer_id
        self.assertEqual(offer.sku, "NOPE-1")
        self.assertFalse(offer.product_id)
        offer.product_id = self.plain_product  # fixing the cause makes the retry due at once
        self.assertLessEqual(error.next_attempt, fields.Datetime.now())
        self._sync()  # the next run retries it
        self.assertEqual(error.state, "resolved")
        self.assertEqual(
            self._sale("111-0000024-0000001").order_line.product_id, self.plain_product
        )

    def test_rerun_duplicates_nothing(self):
        self.sim.set_orders(
            [
                self._order("111-0000025-0000001", [self._item("I1", "VITC-500", 1)]),
                self._order(
                    "111-0000025-0000002",
                    [self._item("I1", "SHAKER", 1), self._item("I2", "BPM-1", 1)],
                ),
            ]
        )
        self._sync()
        self.account.last_orders_sync = self._ago(60)  # same window again
        run = self._sync()
        self.assertEqual(run.counts["unchanged"], 2)
        orders = self.env["sale.order"].search([("amazon_account_id", "=", self.account.id)])
        self.assertEqual(len(orders), 2)
        self.assertEqual(len(orders.order_line), 3)

    def test_update_inside_the_overlap_window(self):
        raw = self._order(
            "111-0000026-0000001",
            [self._item("I1", "SHAKER")],
            fulfilled_by="MERCHANT",
            status="UNSHIPPED",
        )
        self.sim.set_orders([raw])
        self._sync()
        watermark = self.account.last_orders_sync
        # Amazon records a late update timestamped before the watermark, inside the overlap.
        late = self._order(
            "111-0000026-0000001",
            [self._item("I1", "SHAKER")],
            fulfilled_by="MERCHANT",
            status="CANCELLED",
            last_updated=watermark - timedelta(minutes=5),
        )
        self.sim.set_orders([late])
        self._sync()
        self.assertEqual(self._sale("111-0000026-0000001").state, "cancel")

    def test_wrong_credentials_are_reported_and_nothing_moves(self):
        self.account.sudo().lwa_client_secret = "fake-wrong-secret"
        before = self.account.last_orders_sync
        self.sim.set_orders([self._order("111-0000027-0000001", [self._item("I1", "SHAKER")])])
        self._sync()
        self.assertEqual(self.account.last_orders_sync, before)
        self.assertIn("credentials", self.account.last_sync_message)
        self.assertNotIn("fake-wrong-secret", self.account.last_sync_message)
        self.assertFalse(self._sale("111-0000027-0000001"))

    def test_cron_syncs_every_active_account(self):
        self.sim.set_orders([self._order("111-0000028-0000001", [self._item("I1", "SHAKER")])])
        self.env["amazon.account"]._sync_orders()
        self.assertTrue(self._sale("111-0000028-0000001"))

    def test_two_runs_of_one_account_cannot_interleave(self):
        self.sim.set_orders([self._order("111-0000029-0000001", [self._item("I1", "SHAKER")])])
        other = db_connect(self.env.cr.dbname).cursor()
        try:
            other.execute("SELECT pg_advisory_lock(%s, %s)", [SYNC_LOCK_NAMESPACE, self.account.id])
            run = self._sync()
            self.assertIn("another order sync", self.account.last_sync_message)
            self.assertFalse(run.counts["booked"])
            self.assertFalse(self.sim.requests)
        finally:
            other.execute("SELECT pg_advisory_unlock_all()")
            other.close()
        run = self._sync()
        self.assertEqual(run.counts["booked"], 1)
