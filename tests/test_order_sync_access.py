import json

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.sql_db import db_connect
from odoo.tests import tagged

from ..models.amazon_account_orders import SYNC_LOCK_NAMESPACE
from .common_sync import AmazonSyncCase


@tagged("post_install", "-at_install")
class TestOrderSyncAccess(AmazonSyncCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = cls.env["res.users"].create(
            {
                "name": "Amazon Manager",
                "login": "amazon_manager_sync",
                "groups_id": [
                    Command.set([cls.env.ref("amazon_fba_kit.amazon_fba_kit_group_manager").id])
                ],
            }
        )
        cls.amazon_user = cls.env["res.users"].create(
            {
                "name": "Amazon User",
                "login": "amazon_user_sync",
                "groups_id": [
                    Command.set([cls.env.ref("amazon_fba_kit.amazon_fba_kit_group_user").id])
                ],
            }
        )

    def test_manager_queues_sync_now_and_the_cron_books_in_background(self):
        """An Amazon manager (not an administrator) presses "Sync now": nothing is fetched in the
        request; the scheduled action is triggered, runs this account first, and books."""
        self.sim.set_orders([self._order("111-0000040-0000001", [self._item("I1", "VITC-500", 1)])])
        cron = self.env.ref("amazon_fba_kit.ir_cron_amazon_sync_orders")
        triggers_before = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        action = self.account.with_user(self.manager).action_sync_orders()
        self.assertEqual(action["params"]["type"], "info")
        self.assertIn("background", action["params"]["message"])
        self.assertFalse(self.sim.requests, "Sync now must not call Amazon in the HTTP request")
        self.assertFalse(self._sale("111-0000040-0000001"))
        self.assertTrue(self.account.orders_sync_requested)
        self.assertEqual(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]),
            triggers_before + 1,
        )
        # What the cron worker runs (as its own user): the queued account first, then booked.
        other = self.account.copy({"name": "Other", "seller_id": "A2OTHER"})
        other.sudo().write(
            {"lwa_client_secret": "fake-test-secret", "refresh_token": "Atzr|fake.test.refresh"}
        )
        runs = self.env["amazon.account"].search([("id", "in", (other | self.account).ids)])
        ordered = runs.search(
            [("id", "in", runs.ids)],
            order="orders_sync_requested desc, last_sync_start asc nulls first, id",
        )
        self.assertEqual(ordered[0], self.account)
        cron.method_direct_trigger()
        order = self._sale("111-0000040-0000001")
        self.assertEqual(order.order_line.product_id, self.lot_kit)
        self.assertEqual(order.order_line.move_ids.state, "done")
        self.assertFalse(self.account.orders_sync_requested)
        self.assertTrue(self.account.last_sync_end >= self.account.last_sync_start)
        self.assertIn("1 order(s) booked", self.account.last_sync_message)
        self.assertNotIn("fake-test-secret", self.account.last_sync_message)

    def test_plain_user_cannot_queue_retry_or_attribute(self):
        self.sim.set_orders([self._order("111-0000043-0000001", [self._item("I1", "NOPE-3")])])
        self._sync()
        error = self._error("111-0000043-0000001")
        with self.assertRaises(AccessError):
            self.account.with_user(self.amazon_user).action_sync_orders()
        with self.assertRaises(AccessError):
            error.with_user(self.amazon_user).action_retry()
        with self.assertRaises(AccessError):
            self.account.with_user(self.amazon_user).action_attribute_lots()

    def test_retry_and_attribute_now_wait_for_a_running_sync(self):
        """Retry and Attribute Now take the account's lock, as the order sync does."""
        raw = self._order("111-0000044-0000001", [self._item("I1", "NOPE-4")])
        self.env["amazon.offer"]._get_or_create_for_skus(self.account, {"NOPE-4"})
        error = self.env["amazon.sync.error"].create(
            {
                "account_id": self.account.id,
                "amazon_order_ref": "111-0000044-0000001",
                "kind": "unknown_sku",
                "message": "Unknown SKU NOPE-4",
                "payload": json.dumps(raw),
            }
        )
        other = db_connect(self.env.cr.dbname).cursor()
        try:  # another run of the account holds its lock (taken before this transaction asks)
            other.execute(
                "SELECT pg_try_advisory_lock(%s, %s)", [SYNC_LOCK_NAMESPACE, self.account.id]
            )
            self.assertTrue(other.fetchone()[0])
            with self.assertRaisesRegex(UserError, "order sync of Amazon account .* is running"):
                error.with_user(self.manager).action_retry()
            with self.assertRaisesRegex(UserError, "is running"):
                self.account.with_user(self.manager).action_attribute_lots()
        finally:
            other.execute("SELECT pg_advisory_unlock_all()")
            other.close()
        self.assertEqual(error.attempt_count, 1)
        # Free again: the manager's retry books the order once the offer is fixed.
        self.env["amazon.offer"].search([("sku", "=", "NOPE-4")]).product_id = self.plain_product
        error.with_user(self.manager).action_retry()
        self.assertEqual(error.state, "resolved")
        self.assertTrue(self._sale("111-0000044-0000001"))

    def test_user_sees_errors_but_cannot_sync_or_edit(self):
        self.sim.set_orders([self._order("111-0000041-0000001", [self._item("I1", "NOPE-2")])])
        self._sync()
        error = self._error("111-0000041-0000001")
        self.assertEqual(
            error.with_user(self.amazon_user).read(["message"])[0]["message"], error.message
        )
        with self.assertRaises(Exception):  # noqa: B017 - AccessError, raised by the ORM
            error.with_user(self.amazon_user).write({"state": "resolved"})

    def test_cron_goes_on_past_an_account_without_credentials(self):
        broken = self.account.copy({"name": "No credentials", "seller_id": "A2BROKEN"})
        self.assertFalse(broken.sudo().refresh_token)  # secrets are not copied
        self.sim.set_orders([self._order("111-0000042-0000001", [self._item("I1", "SHAKER")])])
        self.env["amazon.account"].search(
            [("id", "in", (broken | self.account).ids)]
        )._sync_orders()
        self.assertIn("refresh token", broken.last_sync_message)
        self.assertTrue(self._sale("111-0000042-0000001"))
