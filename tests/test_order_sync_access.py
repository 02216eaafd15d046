from odoo import Command
from odoo.tests import tagged

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

    def test_manager_syncs_now_without_seeing_secrets(self):
        """An Amazon manager (not an administrator) presses "Sync now": FBA kit orders book."""
        self.sim.set_orders([self._order("111-0000040-0000001", [self._item("I1", "VITC-500", 1)])])
        action = self.account.with_user(self.manager).action_sync_orders()
        self.assertEqual(action["params"]["type"], "success", action["params"]["message"])
        order = self._sale("111-0000040-0000001")
        self.assertEqual(order.order_line.product_id, self.lot_kit)
        self.assertEqual(order.order_line.move_ids.state, "done")
        self.assertNotIn("fake-test-secret", action["params"]["message"])

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
