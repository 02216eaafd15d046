import json
from unittest.mock import patch

from psycopg2 import IntegrityError

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common_shipment import AmazonShipmentCase


@tagged("post_install", "-at_install")
class TestFbmShipmentConfirmation(AmazonShipmentCase):
    def test_validation_queues_then_cron_confirms_once(self):
        order = self._fbm_order("113-0000001-0000001")
        picking = self._ready_delivery(order)
        triggers_before = self.env["ir.cron.trigger"].search_count([("cron_id", "=", self.cron.id)])
        self._validate(picking)
        # Validating never calls Amazon: it records what to confirm and wakes the cron up.
        self.assertFalse(self._confirm_calls("113-0000001-0000001"))
        confirmation = picking.amazon_confirmation_ids
        self.assertEqual(len(confirmation), 1)
        self.assertEqual(confirmation.state, "pending")
        self.assertEqual(picking.amazon_confirmation_state, "pending")
        self.assertEqual(confirmation.package_ref, str(confirmation.id))
        self.assertEqual(confirmation.items_summary, "I1 × 3, I2 × 2")
        self.assertEqual(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", self.cron.id)]),
            triggers_before + 1,
        )

        # The scheduled action itself (as the cron worker runs it, with its progress record).
        self.cron.method_direct_trigger()
        progress = self.env["ir.cron.progress"].search([("cron_id", "=", self.cron.id)])
        self.assertEqual(progress[-1:].mapped("done"), [1])
        self.assertEqual(progress[-1:].mapped("remaining"), [0])
        self.assertEqual(confirmation.state, "done")
        self.assertEqual(confirmation.attempt_count, 1)
        self.assertEqual(picking.amazon_confirmation_state, "done")
        self.assertEqual(len(self._confirm_calls("113-0000001-0000001")), 1)
        [package] = self.sim.packages("113-0000001-0000001")
        self.assertEqual(package["packageReferenceId"], confirmation.package_ref)
        self.assertEqual(package["carrier"], "UPS")
        self.assertEqual(package["shippingService"], "UPS Ground")
        self.assertEqual(package["trackingNumber"], "1Z999AA10123456784")
        self.assertEqual(
            package["shipTime"],
            fields.Datetime.to_string(picking.date_done).replace(" ", "T") + "Z",
        )
        self.assertEqual(
            package["packageItems"],
            [{"orderItemId": "I1", "quantity": 3}, {"orderItemId": "I2", "quantity": 2}],
        )
        self.assertEqual(self.sim.order_status("113-0000001-0000001"), "SHIPPED")
        body = json.loads(confirmation.request_body)
        self.assertEqual(body["marketplaceId"], "ATVPDKIKX0DER")
        self.assertEqual(body["packageDetail"]["carrierCode"], "UPS")
        self.assertIn("Amazon confirmed the shipment", picking.message_ids[0].body)

        # The cron runs again: nothing more goes to Amazon.
        self.assertEqual(self._send(), 0)
        self.assertEqual(len(self._confirm_calls("113-0000001-0000001")), 1)

    def test_partial_delivery_and_backorder_confirm_what_each_shipped(self):
        order = self._fbm_order("113-0000002-0000001")
        first = self._ready_delivery(order, tracking="TRACK-1")
        self._set_done_quantities(first, {self.lot_product: 1, self.plain_product: 2})
        self._validate(first, backorder=True)
        backorder = order.picking_ids - first
        self.assertEqual(len(backorder), 1)
        self.assertEqual(first.amazon_confirmation_ids.items_summary, "I1 × 1, I2 × 2")
        self.assertFalse(backorder.amazon_confirmation_ids)
        self._send()
        self.assertEqual(self.sim.order_status("113-0000002-0000001"), "PARTIALLY_SHIPPED")

        backorder = self._ready_delivery(order, tracking="TRACK-2")
        self._validate(backorder)
        second = backorder.amazon_confirmation_ids
        self.assertEqual(second.items_summary, "I1 × 2")
        self._send()
        self.assertEqual(second.state, "done")
        self.assertEqual(self.sim.order_status("113-0000002-0000001"), "SHIPPED")
        packages = self.sim.packages("113-0000002-0000001")
        self.assertEqual(
            [(p["trackingNumber"], p["packageItems"]) for p in packages],
            [
                (
                    "TRACK-1",
                    [{"orderItemId": "I1", "quantity": 1}, {"orderItemId": "I2", "quantity": 2}],
                ),
                ("TRACK-2", [{"orderItemId": "I1", "quantity": 2}]),
            ],
        )
        self.assertNotEqual(packages[0]["packageReferenceId"], packages[1]["packageReferenceId"])

    def test_partial_delivery_without_backorder(self):
        order = self._fbm_order("113-0000003-0000001")
        picking = self._ready_delivery(order)
        self._set_done_quantities(picking, {self.lot_product: 2, self.plain_product: 0})
        self._validate(picking, backorder=False)
        self.assertEqual(picking.amazon_confirmation_ids.items_summary, "I1 × 2")

    def test_packages_confirmed_one_by_one_with_their_tracking(self):
        order = self._fbm_order("113-0000004-0000001")
        picking = self._ready_delivery(order, tracking="PK-A, PK-B")
        vitamin = picking.move_ids.filtered(lambda m: m.product_id == self.lot_product)
        shaker = picking.move_ids - vitamin
        picking.move_ids.picked = True
        vitamin.move_line_ids.result_package_id = self.env["stock.quant.package"].create({})
        shaker.move_line_ids.result_package_id = self.env["stock.quant.package"].create({})
        self._validate(picking)
        confirmations = picking.amazon_confirmation_ids.sorted("id")
        self.assertEqual(len(confirmations), 2)
        self.assertEqual(
            [(c.package_id, c.items_summary) for c in confirmations],
            [
                (vitamin.move_line_ids.result_package_id, "I1 × 3"),
                (shaker.move_line_ids.result_package_id, "I2 × 2"),
            ],
        )
        self._send()
        self.assertEqual(confirmations.mapped("state"), ["done", "done"])
        self.assertEqual(
            [p["trackingNumber"] for p in self.sim.packages("113-0000004-0000001")],
            ["PK-A", "PK-B"],
        )

    def test_one_confirmation_per_package(self):
        order = self._fbm_order("113-0000005-0000001")
        picking = self._validate(self._ready_delivery(order))
        confirmation = picking.amazon_confirmation_ids
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            self.Confirmation.create(
                {
                    "picking_id": picking.id,
                    "sale_order_id": order.id,
                    "account_id": self.account.id,
                    "amazon_order_ref": order.amazon_order_ref,
                    "item_data": confirmation.item_data,
                }
            )

    def test_amazon_unreachable_at_validation_then_confirmed_later_once(self):
        order = self._fbm_order("113-0000006-0000001")
        picking = self._ready_delivery(order)
        self.sim.stop()  # Amazon is unreachable
        try:
            self._validate(picking)  # validating does not need Amazon
            confirmation = picking.amazon_confirmation_ids
            self.assertEqual(confirmation.state, "pending")
            started = fields.Datetime.now()
            self._send()
        finally:
            self.sim.start()  # same port: the account's endpoint answers again
        self.assertEqual(confirmation.state, "pending")
        self.assertEqual(confirmation.attempt_count, 1)
        self.assertIn("Could not reach Amazon", confirmation.message)
        self.assertGreaterEqual((confirmation.next_attempt - started).total_seconds(), 5 * 60 - 5)
        self.assertEqual(picking.amazon_confirmation_state, "pending")
        self.assertIn("Could not reach Amazon", picking.amazon_confirmation_message)

        # Not due yet: the cron leaves it alone.
        self.assertEqual(self._send(), 0)
        self.assertFalse(self._confirm_calls("113-0000006-0000001"))

        # Amazon answers but is overloaded: the wait doubles.
        self._make_due(confirmation)
        self.sim.fail_next(1, status=503)
        started = fields.Datetime.now()
        self._send()
        self.assertEqual(confirmation.state, "pending")
        self.assertEqual(confirmation.attempt_count, 2)
        self.assertGreaterEqual((confirmation.next_attempt - started).total_seconds(), 10 * 60 - 5)

        self._make_due(confirmation)
        self._send()
        self.assertEqual(confirmation.state, "done")
        self.assertEqual(confirmation.attempt_count, 3)
        self.assertEqual(len(self.sim.packages("113-0000006-0000001")), 1)
        self._make_due(confirmation)
        self._send()
        self.assertEqual(
            [r["status"] for r in self._confirm_calls("113-0000006-0000001")], [503, 204]
        )

    def test_backoff_is_capped(self):
        order = self._fbm_order("113-0000007-0000001")
        confirmation = self._validate(self._ready_delivery(order)).amazon_confirmation_ids
        confirmation.attempt_count = 40
        self.sim.fail_next(1, status=500)
        started = fields.Datetime.now()
        self._send()
        self.assertEqual(confirmation.attempt_count, 41)
        self.assertAlmostEqual(
            (confirmation.next_attempt - started).total_seconds(), 6 * 3600, delta=5
        )

    def test_missing_tracking_reference_refused_before_validation(self):
        order = self._fbm_order("113-0000008-0000001")
        picking = self._ready_delivery(order, tracking=False)
        with self.assertRaisesRegex(UserError, "Enter the Tracking Reference"):
            picking.button_validate()
        self.assertEqual(picking.state, "assigned")
        picking.carrier_id = False
        with self.assertRaisesRegex(UserError, "Set the Carrier and the Tracking Reference"):
            picking.button_validate()
        self.assertFalse(picking.amazon_confirmation_ids)
        picking.carrier_id = self.ups
        picking.carrier_tracking_ref = "1Z-LATE"
        self._validate(picking)
        self.assertEqual(picking.amazon_confirmation_ids.state, "pending")

    def test_carrier_mapping_code_and_free_text(self):
        order = self._fbm_order("113-0000009-0000001")
        picking = self._validate(self._ready_delivery(order, carrier=self.courier))
        self._send()
        body = json.loads(picking.amazon_confirmation_ids.request_body)["packageDetail"]
        self.assertEqual(body["carrierCode"], "Other")
        self.assertEqual(body["carrierName"], "Speedy Local Courier")
        self.assertEqual(
            self.sim.packages("113-0000009-0000001")[0]["carrier"], body["carrierName"]
        )

        self.courier.amazon_carrier_code = "Royal Mail"
        self.courier.amazon_shipping_method = "Tracked 48"
        order = self._fbm_order("113-0000009-0000002")
        picking = self._validate(self._ready_delivery(order, carrier=self.courier))
        self._send()
        body = json.loads(picking.amazon_confirmation_ids.request_body)["packageDetail"]
        self.assertEqual(body["carrierCode"], "Royal Mail")
        self.assertNotIn("carrierName", body)
        self.assertEqual(body["shippingMethod"], "Tracked 48")

    def test_amazon_refusal_shown_on_delivery_then_retried(self):
        ref = "113-0000010-0000001"
        order = self._fbm_order(ref)
        picking = self._validate(self._ready_delivery(order))
        # Amazon counts only 1 unit of I1 left to ship (2 confirmed elsewhere meanwhile).
        raw = self._order(ref, [self._item("I1", "VITC-500", 3), self._item("I2", "SHAKER", 2)])
        raw["fulfillment"]["fulfilledBy"] = "MERCHANT"
        raw["fulfillment"]["fulfillmentStatus"] = "PARTIALLY_SHIPPED"
        raw["orderItems"][0]["fulfillment"] = {"quantityFulfilled": 2, "quantityUnfulfilled": 1}
        raw["orderItems"][1]["fulfillment"] = {"quantityFulfilled": 0, "quantityUnfulfilled": 2}
        self.sim.set_orders([raw])
        self._send()
        confirmation = picking.amazon_confirmation_ids
        self.assertEqual(confirmation.state, "failed")
        self.assertEqual(picking.amazon_confirmation_state, "failed")
        self.assertIn("HTTP 400, InvalidInput", picking.amazon_confirmation_message)
        self.assertIn("more than the 1 unit(s) left to ship", picking.amazon_confirmation_message)
        self.assertIn("What to do", picking.amazon_confirmation_message)
        self.assertIn("not done", picking.message_ids[0].body)
        # Refused: not retried by the cron on its own.
        self._make_due(confirmation)
        self.assertEqual(self._send(), 0)
        self.assertEqual(len(self._confirm_calls(ref)), 1)

        # The seller sorts it out with Amazon, then retries from the delivery.
        raw["orderItems"][0]["fulfillment"] = {"quantityFulfilled": 0, "quantityUnfulfilled": 3}
        raw["fulfillment"]["fulfillmentStatus"] = "UNSHIPPED"
        self.sim.set_orders([raw])
        picking.action_amazon_retry_confirmation()
        self.assertEqual(confirmation.state, "pending")
        self._send()
        self.assertEqual(confirmation.state, "done")
        self.assertEqual(len(self._confirm_calls(ref)), 2)

    def test_missing_tracking_after_validation_is_an_error_to_fix(self):
        """A delivery validated without the button (no pre-check): recorded, never lost."""
        order = self._fbm_order("113-0000011-0000001")
        picking = self._ready_delivery(order, tracking=False)
        picking.move_ids.picked = True
        picking._action_done()
        confirmation = picking.amazon_confirmation_ids
        self._send()
        self.assertEqual(confirmation.state, "error")
        self.assertIn("no tracking reference", picking.amazon_confirmation_message)
        self.assertFalse(self._confirm_calls("113-0000011-0000001"))
        picking.carrier_tracking_ref = "1Z-FIXED"
        picking.action_amazon_retry_confirmation()
        self._send()
        self.assertEqual(confirmation.state, "done")

    def test_order_shipped_in_seller_central_is_not_confirmed_again(self):
        ref = "113-0000012-0000001"
        order = self._fbm_order(ref)
        self.assertEqual(order.amazon_fulfillment_status, "UNSHIPPED")
        # The seller confirms it in Seller Central; the next sync sees it SHIPPED.
        shipped = self._order(
            ref,
            [self._item("I1", "VITC-500", 3), self._item("I2", "SHAKER", 2)],
            fulfilled_by="MERCHANT",
            status="SHIPPED",
            minutes_ago=10,
        )
        self.sim.set_orders([shipped])
        self._sync()
        self.assertEqual(order.amazon_fulfillment_status, "SHIPPED")
        # No tracking reference needed any more: Amazon already knows.
        picking = self._validate(self._ready_delivery(order, carrier=False, tracking=False))
        confirmation = picking.amazon_confirmation_ids
        self.assertEqual(confirmation.state, "done")
        self.assertIn("already shows order", confirmation.message)
        self._send()
        self.assertFalse(self._confirm_calls(ref))

    def test_amazon_answers_already_shipped(self):
        ref = "113-0000013-0000001"
        order = self._fbm_order(ref)
        picking = self._validate(self._ready_delivery(order))
        # Confirmed in Seller Central after the last sync: Amazon refuses a new package.
        self.sim.set_orders(
            [
                self._order(
                    ref,
                    [self._item("I1", "VITC-500", 3), self._item("I2", "SHAKER", 2)],
                    fulfilled_by="MERCHANT",
                    status="SHIPPED",
                )
            ]
        )
        self._send()
        confirmation = picking.amazon_confirmation_ids
        self.assertEqual(confirmation.state, "done")
        self.assertIn("Amazon already has this shipment", confirmation.message)
        self.assertEqual(len(self._confirm_calls(ref)), 1)

    def test_fba_orders_and_other_pickings_are_not_confirmed(self):
        self.sim.set_orders([self._order("113-0000014-0000001", [self._item("I1", "SHAKER", 1)])])
        self._sync()
        fba = self._sale("113-0000014-0000001")
        self.assertEqual(fba.amazon_fulfilled_by, "amazon")
        self.assertFalse(self.Confirmation.search([("sale_order_id", "=", fba.id)]))
        # An ordinary (non-Amazon) delivery needs no carrier and is not confirmed.
        sale = self.env["sale.order"].create(
            {
                "partner_id": self.env["res.partner"].create({"name": "Walk-in"}).id,
                "order_line": [(0, 0, {"product_id": self.plain_product.id})],
            }
        )
        sale.action_confirm()
        picking = sale.picking_ids
        picking.action_assign()
        self._validate(picking)
        self.assertFalse(picking.amazon_fbm_delivery)
        self.assertFalse(self.Confirmation.search([("picking_id", "=", picking.id)]))

    def test_warehouse_user_validates_and_retries_without_amazon_rights(self):
        order = self._fbm_order("113-0000015-0000001")
        picking = self._ready_delivery(order, tracking=False)
        user = self._stock_user()
        as_user = picking.with_user(user)
        with self.assertRaisesRegex(UserError, "Tracking Reference"):
            as_user.button_validate()
        as_user.carrier_tracking_ref = "1Z-USER"
        self._validate(as_user)
        self.assertEqual(as_user.amazon_confirmation_state, "pending")
        # The delivery form (banner included) opens for them.
        form = Form(as_user)
        self.assertEqual(form.amazon_confirmation_state, "pending")
        with self.assertRaises(AccessError):
            self.Confirmation.with_user(user).search([])
        reader = self._stock_user(with_amazon=True)
        confirmation = picking.amazon_confirmation_ids.with_user(reader)
        self.assertEqual(confirmation.state, "pending")
        with self.assertRaises(AccessError):
            confirmation.action_mark_done()

    def test_kit_line_confirms_the_kits_each_delivery_completed(self):
        """An FBM multipack (kit product): its delivery moves the components; Amazon is told
        how many kits each delivery completed."""
        two_pack = self._create_kit(
            self.lot_product, qty=2, name="Vitamin C 2-pack", default_code="VITC-2PK"
        )
        order = self._fbm_order("113-0000016-0000001", [self._item("K1", "VITC-2PK", 2, 20.0)])
        self.assertEqual(order.order_line.product_id, two_pack)
        first = self._ready_delivery(order, tracking="KIT-1")
        self.assertEqual(first.move_ids.product_id, self.lot_product)
        self._set_done_quantities(first, {self.lot_product: 3})  # one kit and a half
        self._validate(first, backorder=True)
        self.assertEqual(first.amazon_confirmation_ids.items_summary, "K1 × 1")
        backorder = self._ready_delivery(order, tracking="KIT-2")
        self._validate(backorder)  # the last unit completes the second kit
        self.assertEqual(backorder.amazon_confirmation_ids.items_summary, "K1 × 1")
        self._send()
        self.assertEqual(
            [p["packageItems"] for p in self.sim.packages("113-0000016-0000001")],
            [[{"orderItemId": "K1", "quantity": 1}]] * 2,
        )
        self.assertEqual(self.sim.order_status("113-0000016-0000001"), "SHIPPED")

    def test_multi_company_rule(self):
        order = self._fbm_order("113-0000017-0000001")
        confirmation = self._validate(self._ready_delivery(order)).amazon_confirmation_ids
        other = self.env["res.company"].create({"name": "Other Co"})
        user = self._stock_user(with_amazon=True)
        user.company_ids = [Command.link(other.id)]
        Confirmation = self.Confirmation.with_user(user)
        self.assertFalse(
            Confirmation.with_context(allowed_company_ids=other.ids).search(
                [("id", "=", confirmation.id)]
            )
        )
        self.assertEqual(
            Confirmation.with_context(allowed_company_ids=self.company.ids).search(
                [("id", "=", confirmation.id)]
            ),
            confirmation,
        )

    def test_unexpected_error_is_recorded_and_the_others_still_go_out(self):
        first = self._validate(
            self._ready_delivery(self._fbm_order("113-0000018-0000001"))
        ).amazon_confirmation_ids
        second = self._validate(
            self._ready_delivery(self._fbm_order("113-0000018-0000002"), tracking="1Z-2")
        ).amazon_confirmation_ids
        original = type(self.Confirmation)._amazon_prepare_request

        def broken(confirmation):
            if confirmation == first:
                raise ZeroDivisionError("division by zero")
            return original(confirmation)

        with (
            patch.object(type(self.Confirmation), "_amazon_prepare_request", broken),
            mute_logger("odoo.addons.amazon_fba_kit.models.amazon_shipment_confirmation"),
        ):
            self.assertEqual(self._send(), 2)
        self.assertEqual(first.state, "error")
        self.assertIn("Unexpected error", first.message)
        self.assertEqual(second.state, "done")

    def test_amazon_down_for_an_account_postpones_its_other_confirmations(self):
        first = self._validate(
            self._ready_delivery(self._fbm_order("113-0000019-0000001"))
        ).amazon_confirmation_ids
        second = self._validate(
            self._ready_delivery(self._fbm_order("113-0000019-0000002"), tracking="1Z-2")
        ).amazon_confirmation_ids
        self.sim.fail_next(1, status=503)
        self.assertEqual(self._send(), 2)
        self.assertEqual(len(self.sim.api_requests()) - self._sync_calls(), 1)
        self.assertEqual((first.attempt_count, second.attempt_count), (1, 0))
        self.assertEqual(second.state, "pending")
        self.assertEqual(second.next_attempt, first.next_attempt)
        self.assertIn("HTTP 503", second.message)
        self._make_due(first | second)
        self._send()
        self.assertEqual((first | second).mapped("state"), ["done", "done"])

    def _sync_calls(self):
        return len(self.sim.api_requests("/orders/2026-01-01/orders"))
