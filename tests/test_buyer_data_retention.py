"""Buyer personal data: one delivery contact per address, removed after the retention period."""

import json
from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from ..spapi import privacy
from .common_sync import AmazonSyncCase

ADDRESS = {
    "name": "Jane Roe",
    "addressLine1": "12 Pine Street",
    "addressLine2": "Apt 4",
    "city": "Springfield",
    "stateOrRegion": "WA",
    "postalCode": "98101",
    "countryCode": "US",
    "phone": "+1 206-555-0199",
    "addressType": "RESIDENTIAL",
}
BUYER = {"buyerName": "Jane Roe", "buyerEmail": "jane.roe.xyz@marketplace.amazon.com"}


@tagged("post_install", "-at_install")
class TestBuyerDataRetention(AmazonSyncCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        groups = "amazon_fba_kit.amazon_fba_kit_group_"
        cls.amazon_user = cls.env["res.users"].create(
            {
                "name": "Amazon User (privacy)",
                "login": "amazon_user_privacy",
                "groups_id": [Command.set([cls.env.ref(groups + "user").id])],
            }
        )
        cls.amazon_manager = cls.env["res.users"].create(
            {
                "name": "Amazon Manager (privacy)",
                "login": "amazon_manager_privacy",
                "groups_id": [Command.set([cls.env.ref(groups + "manager").id])],
            }
        )

    def _book(self, ref, status="SHIPPED", fulfilled_by="AMAZON", address=None, minutes_ago=5):
        order = self._order(
            ref,
            [self._item("I1", "SHAKER", 1)],
            minutes_ago=minutes_ago,
            status=status,
            fulfilled_by=fulfilled_by,
            buyer=dict(BUYER),
            address=dict(address or ADDRESS),
        )
        self.sim.set_orders([order])
        run = self._sync()
        self.assertFalse(run.failures, run.failures)
        return self._sale(ref)

    def _purge(self, days_from_now):
        now = fields.Datetime.now() + timedelta(days=days_from_now)
        return self.env["amazon.account"]._amazon_remove_buyer_data(now=now)

    def test_delivery_contact_reused_for_the_same_address(self):
        first = self._book("111-0000130-0000001")
        second = self._book("111-0000130-0000002")
        fbm = self._book("111-0000130-0000003", status="UNSHIPPED", fulfilled_by="MERCHANT")
        moved = self._book("111-0000130-0000004", address={**ADDRESS, "addressLine1": "1 Elm St"})
        contact = first.partner_shipping_id
        self.assertEqual(contact.parent_id, self.account.partner_id)
        self.assertEqual(
            (contact.name, contact.street, contact.zip), ("Jane Roe", "12 Pine Street", "98101")
        )
        self.assertEqual(contact.state_id.code, "WA")
        self.assertEqual(second.partner_shipping_id, contact)
        self.assertEqual(fbm.partner_shipping_id, contact)
        self.assertNotEqual(moved.partner_shipping_id, contact)
        self.assertEqual(
            self.env["res.partner"].search_count([("parent_id", "=", self.account.partner_id.id)]),
            2,
        )

    def test_contact_anonymised_after_retention(self):
        order = self._book("111-0000131-0000001")
        contact = order.partner_shipping_id
        invoice = order._create_invoices()
        self.assertEqual(invoice.partner_shipping_id, contact)
        self.assertEqual(self._purge(29), (0, 0), "kept during the retention period")
        self.assertEqual(contact.name, "Jane Roe")

        self.assertEqual(self._purge(31)[0], 1)
        contact.invalidate_recordset()
        self.assertEqual(contact.name, "Amazon buyer (anonymised)")
        for fname in ("street", "street2", "city", "phone", "email"):
            self.assertFalse(contact[fname], fname)
        self.assertEqual((contact.zip, contact.country_id.code), ("98101", "US"))
        self.assertEqual(contact.state_id.code, "WA")
        self.assertFalse(contact.active, "archived: nothing picks it again")
        self.assertTrue(contact.amazon_anonymized_date)
        # The order and its invoice stay, and still refer to the (anonymised) contact.
        self.assertEqual(order.partner_shipping_id, contact)
        self.assertTrue(invoice.exists())
        self.assertEqual(invoice.partner_shipping_id, contact)
        # No trace of the buyer left in tracking values or in the contact's display name.
        self.env.flush_all()
        leaks = self.env["mail.tracking.value"].search(
            ["|", ("old_value_char", "ilike", "Jane Roe"), ("new_value_char", "ilike", "Pine")]
        )
        self.assertFalse(leaks)
        self.assertNotIn("Jane", order.partner_shipping_id.display_name)
        # The next order to the same address gets a fresh contact.
        again = self._book("111-0000131-0000002")
        self.assertNotEqual(again.partner_shipping_id, contact)
        self.assertEqual(again.partner_shipping_id.name, "Jane Roe")
        self.assertEqual(self._purge(29), (0, 0), "the new contact is recent; the old one is done")

    def test_open_delivery_keeps_the_contact(self):
        shipped = self._book("111-0000132-0000001")
        open_fbm = self._book(
            "111-0000132-0000002",
            status="UNSHIPPED",
            fulfilled_by="MERCHANT",
            address={**ADDRESS, "name": "John Doe"},
        )
        self.assertEqual(self._purge(60)[0], 1)
        self.assertFalse(shipped.partner_shipping_id.active)
        self.assertEqual(open_fbm.partner_shipping_id.name, "John Doe", "not shipped yet")
        self.assertTrue(open_fbm.partner_shipping_id.active)

    def test_cancelled_order_and_per_account_retention(self):
        self.account.buyer_data_retention_days = 10
        order = self._book(
            "111-0000133-0000001", status="UNSHIPPED", fulfilled_by="MERCHANT", minutes_ago=8
        )
        self.assertEqual(order.state, "sale")
        self.assertEqual(self._purge(11), (0, 0), "delivery still to do")
        self._book(
            "111-0000133-0000001",
            status="CANCELLED",
            fulfilled_by="MERCHANT",
            minutes_ago=4,
        )
        self.assertEqual(order.state, "cancel")
        self.assertEqual(self._purge(9), (0, 0))
        self.assertEqual(self._purge(11)[0], 1)
        self.assertFalse(order.partner_shipping_id.street)

    def test_sync_error_payload_anonymised(self):
        shipped = self._order(
            "111-0000134-0000001",
            [self._item("I1", "NOPE-134", 1)],
            buyer=dict(BUYER),
            address=dict(ADDRESS),
        )
        pending = self._order(
            "111-0000134-0000002",
            [self._item("I1", "NOPE-134", 1)],
            status="PENDING",
            buyer=dict(BUYER),
            address=dict(ADDRESS),
        )
        self.sim.set_orders([shipped, pending])
        self._sync()
        error = self._error("111-0000134-0000001")
        self.assertIn("Jane Roe", error.payload)
        # A pending order is not recorded by the sync; an error kept for it (an older failure)
        # keeps its buyer data until Amazon ships or cancels it.
        waiting = self.env["amazon.sync.error"].create(
            {
                "account_id": self.account.id,
                "amazon_order_ref": "111-0000134-0000002",
                "message": "pending",
                "payload": json.dumps(pending),
            }
        )
        self.assertEqual(self._purge(29), (0, 0))
        self.assertEqual(self._purge(31), (0, 1))
        data = json.loads(error.payload)
        self.assertTrue(error.payload_anonymized)
        self.assertEqual(data["buyer"], {})
        self.assertEqual(
            data["recipient"],
            {
                "deliveryAddress": {
                    "countryCode": "US",
                    "stateOrRegion": "WA",
                    "postalCode": "98101",
                }
            },
        )
        self.assertEqual(data["orderId"], "111-0000134-0000001")
        self.assertEqual(data["orderItems"][0]["product"]["sellerSku"], "NOPE-134")
        for text in ("Jane", "Pine", "555-0199", "jane.roe"):
            self.assertNotIn(text, error.payload)
        self.assertIn("Jane Roe", waiting.payload, "an order still pending keeps its data")
        # Still bookable once the SKU is fixed: to the account's customer, without an address.
        self.env["amazon.offer"].search([("sku", "=", "NOPE-134")]).product_id = self.plain_product
        error.action_retry()
        self.assertEqual(error.state, "resolved")
        self.assertEqual(error.sale_order_id.partner_shipping_id, self.account.partner_id)

    def test_payload_visible_to_managers_only(self):
        self.sim.set_orders([self._order("111-0000135-0000001", [self._item("I1", "NOPE-135", 1)])])
        self._sync()
        error = self._error("111-0000135-0000001")
        with self.assertRaises(AccessError):
            error.with_user(self.amazon_user).read(["payload"])
        self.assertNotIn("payload", error.with_user(self.amazon_user).read()[0])
        self.assertTrue(error.with_user(self.amazon_manager).read(["payload"])[0]["payload"])

    def test_scheduled_action(self):
        cron = self.env.ref("amazon_fba_kit.ir_cron_amazon_remove_buyer_data")
        self.assertEqual(cron.code.strip(), "model._amazon_remove_buyer_data()")
        self.assertEqual((cron.interval_number, cron.interval_type), (1, "days"))
        self.assertTrue(cron.active)
        cron.method_direct_trigger()  # runs as the cron would (nothing past retention here)

    def test_anonymize_pure(self):
        order = {
            "orderId": "1",
            "buyer": {"buyerName": "X", "buyerEmail": "x@y"},
            "recipient": {
                "deliveryAddress": {**ADDRESS},
                "deliveryPreference": {"dropOffLocation": "Back door of 12 Pine Street"},
            },
            "orderItems": [{"product": {"sellerSku": "S"}}],
        }
        result = privacy.anonymize(order)
        self.assertEqual(result["orderItems"], order["orderItems"])
        self.assertNotIn("Pine", json.dumps(result))
        self.assertNotIn("Roe", json.dumps(result))
        self.assertEqual(result["recipient"]["deliveryAddress"]["postalCode"], "98101")
