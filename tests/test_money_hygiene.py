"""Request hygiene of the order sync: marketplaces required, time margin, 200 with errors."""

from datetime import datetime, timedelta

from odoo import Command, fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common_sync import SIM_CLIENT_ID, AmazonSyncCase


@tagged("post_install", "-at_install")
class TestRequestHygiene(AmazonSyncCase):
    def test_account_needs_marketplaces(self):
        with self.assertRaisesRegex(ValidationError, "has no marketplace"):
            self.env["amazon.account"].create(
                {"name": "No marketplace", "seller_id": "A1NOMKT", "lwa_client_id": SIM_CLIENT_ID}
            )
        with self.assertRaisesRegex(ValidationError, "has no marketplace"):
            self.account.marketplace_ids = [Command.clear()]

    def test_last_updated_before_keeps_three_minutes(self):
        before_run = fields.Datetime.now()
        self._sync()
        (request,) = self.sim.api_requests()
        sent = datetime.strptime(request["params"]["lastUpdatedBefore"], "%Y-%m-%dT%H:%M:%SZ")
        self.assertLessEqual(sent, before_run - timedelta(minutes=3) + timedelta(seconds=1))

    def test_success_carrying_errors_says_amazons_message(self):
        self.sim.fail_next(1, status=200)
        self._sync()
        message = self.account.last_sync_message
        self.assertIn("InternalFailure", message)
        self.assertIn("We encountered an internal error", message)
        self.assertNotIn("999", message)
