"""Secrets go only to Amazon, to the local simulator, or to an https host an administrator entered.

The exfiltration attempt of issue #13: an Amazon manager (not an administrator) points the account
at a host they control and presses a button that logs in to Amazon. It must fail before any byte
leaves, whatever the way the endpoint got there.
"""

import logging
import unittest
from contextlib import contextmanager
from unittest import mock

import httpx

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from ..spapi import adapter, const
from ..spapi.exceptions import AmazonEndpointRefused
from .common_sync import SIM_CLIENT_SECRET, SIM_REFRESH_TOKEN, AmazonSyncCase

LOOPBACK = ("127.0.0.1", "localhost", "::1")
EVIL_LWA = "https://collector.example.net/auth/o2/token"
EVIL_API = "https://collector.example.net"


class CapturingHandler(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


class TestCheckEndpoint(unittest.TestCase):
    """The adapter's endpoint policy, without a database."""

    def test_amazon_hosts_over_https(self):
        for url, kind in [
            ("https://sellingpartnerapi-na.amazon.com", const.ENDPOINT_SP_API),
            ("https://sandbox.sellingpartnerapi-eu.amazon.com", const.ENDPOINT_SP_API),
            ("https://api.amazon.com/auth/o2/token", const.ENDPOINT_LWA),
            ("https://API.Amazon.com:443/auth/o2/token", const.ENDPOINT_LWA),
        ]:
            self.assertTrue(adapter.check_endpoint(url, kind).startswith("https://"), url)

    def test_plain_http_only_to_loopback(self):
        for url in (
            "http://127.0.0.1:8123",
            "http://localhost/t",
            "http://[::1]:9",
            "http://127.8.0.1",
        ):
            self.assertEqual(adapter.check_endpoint(url, const.ENDPOINT_LWA), url)
        for url in ("http://10.0.0.8", "http://api.amazon.com/auth/o2/token", "http://127.1"):
            for allow in (False, True):
                with self.assertRaisesRegex(AmazonEndpointRefused, "plain http|not a plain URL"):
                    adapter.check_endpoint(url, const.ENDPOINT_LWA, allow_custom_https=allow)

    def test_other_https_host_only_when_allowed(self):
        refused = [
            EVIL_LWA,
            "https://api.amazon.com.collector.example.net/auth/o2/token",
            "https://api.amazon.com:8443/auth/o2/token",
            "https://sellingpartnerapi-na.amazon.com/auth/o2/token",  # an SP-API host, for LWA
        ]
        for url in refused:
            with self.assertRaisesRegex(AmazonEndpointRefused, "not Amazon's"):
                adapter.check_endpoint(url, const.ENDPOINT_LWA)
        self.assertEqual(
            adapter.check_endpoint(EVIL_LWA, const.ENDPOINT_LWA, allow_custom_https=True), EVIL_LWA
        )

    def test_tricky_urls_are_refused(self):
        for url in [
            "https://api.amazon.com@collector.example.net/auth/o2/token",
            "https://user:pw@api.amazon.com/auth/o2/token",
            "http://127.0.0.1\\@collector.example.net",
            "https://api.amazon.com/auth/o2/token?next=https://collector.example.net",
            "https://api.amazon.com/auth/o2/token#x",
            "https://api.amazon.com /auth/o2/token",
            "ftp://api.amazon.com",
            "https://",
            "",
            None,
        ]:
            with self.assertRaises(AmazonEndpointRefused, msg=url):
                adapter.check_endpoint(url, const.ENDPOINT_LWA, allow_custom_https=True)

    def test_adapter_refuses_before_building_any_client(self):
        with self.assertRaisesRegex(AmazonEndpointRefused, "collector.example.net"):
            adapter.SpApiAdapter(
                region="na",
                refresh_token="Atzr|r",
                lwa_client_id="i",
                lwa_client_secret="s3cr3t-value",
                lwa_endpoint=EVIL_LWA,
            )
        try:
            adapter.SpApiAdapter(
                region="na",
                refresh_token="Atzr|r",
                lwa_client_id="i",
                lwa_client_secret="s3cr3t-value",
                api_endpoint="http://192.0.2.7",
            )
        except AmazonEndpointRefused as error:
            self.assertNotIn("s3cr3t", str(error))
            self.assertIn("192.0.2.7", str(error))
        else:
            self.fail("plain http to another machine was accepted")


@tagged("post_install", "-at_install")
class TestAmazonEndpoints(AmazonSyncCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        groups = "amazon_fba_kit.amazon_fba_kit_group_"
        cls.manager = cls.env["res.users"].create(
            {
                "name": "Amazon Manager (endpoints)",
                "login": "amazon_manager_endpoints",
                "groups_id": [Command.set([cls.env.ref(groups + "manager").id])],
            }
        )
        cls.admin = cls.env.ref("base.user_admin")

    def setUp(self):
        super().setUp()
        self.outbound = []
        real = httpx.HTTPTransport.handle_request

        def spy(transport, request):
            if request.url.host in LOOPBACK:
                return real(transport, request)
            # Record what would have left the machine, and never send it.
            self.outbound.append(request)
            raise httpx.ConnectError("blocked by the test", request=request)

        patcher = mock.patch.object(httpx.HTTPTransport, "handle_request", spy)
        patcher.start()
        self.addCleanup(patcher.stop)

    @contextmanager
    def capture_logs(self):
        capture = CapturingHandler()
        root = logging.getLogger()
        old_level = root.level
        root.addHandler(capture)
        root.setLevel(logging.DEBUG)
        try:
            yield capture.messages
        finally:
            root.setLevel(old_level)
            root.removeHandler(capture)

    def assertNoSecret(self, texts):
        secrets = (SIM_CLIENT_SECRET, SIM_REFRESH_TOKEN, *self.sim._tokens)
        for text in texts:
            for secret in secrets:
                self.assertNotIn(secret, str(text))

    def _chatter_texts(self, account):
        account.invalidate_recordset(["message_ids"])
        messages = account.sudo().message_ids
        values = messages.tracking_value_ids
        return [*messages.mapped("body"), *values.mapped("old_value_char")] + values.mapped(
            "new_value_char"
        )

    def _set_endpoints_by_sql(self, api=None, lwa=None):
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE amazon_account SET api_endpoint = %s, lwa_endpoint = %s WHERE id = %s",
            [api, lwa, self.account.id],
        )
        self.account.invalidate_recordset()

    def _press_every_button(self, account):
        """Test connection, Sync now, Pull FBA inventory (and both crons): what they said."""
        said = []
        try:
            said.append(account.action_test_connection()["params"]["message"])
        except UserError as error:
            said.append(str(error))
        # Sync now only queues the scheduled action (no request): the cron's run below says more.
        queued = account.action_sync_orders()["params"]["message"]
        self.assertIn("background", queued)
        said.append(queued)
        account.action_sync_fba_inventory()
        self.env["amazon.account"].browse(account.ids)._sync_orders()
        self.env["amazon.account"].browse(account.ids)._sync_fba_inventory()
        said += [self.account.last_sync_message, self.account.last_inventory_message]
        return said

    # -- who may set them ---------------------------------------------------------------------

    def test_manager_cannot_read_write_or_create_endpoints(self):
        account = self.account.with_user(self.manager)
        for fname in ("api_endpoint", "lwa_endpoint", "endpoint_approved_by_id"):
            with self.assertRaises(AccessError):
                account.write({fname: EVIL_LWA if "endpoint" in fname else self.manager.id})
            with self.assertRaises(AccessError):
                account.read([fname])
        with self.assertRaises(AccessError):
            account.write({"endpoint_approval": "0" * 64})
        fields = account.get_views([(False, "form")])["models"]["amazon.account"]["fields"]
        self.assertTrue({"api_endpoint", "lwa_endpoint", "endpoint_approval"}.isdisjoint(fields))
        vals = {
            "name": "Mine",
            "seller_id": "A1MINE",
            "lwa_client_id": "amzn1.application-oa2-client.mine",
            "lwa_endpoint": EVIL_LWA,
        }
        with self.assertRaisesRegex(AccessError, "Only system administrators"):
            self.env["amazon.account"].with_user(self.manager).create(vals)
        self.assertEqual(self.account.lwa_endpoint, self.sim.lwa_url)
        # Other fields stay editable, and a copy works without reading the endpoints.
        account.write({"name": "Renamed"})
        copy = account.copy()
        self.assertFalse(copy.sudo().api_endpoint or copy.sudo().lwa_endpoint)

    def test_administrator_sets_an_endpoint_and_is_recorded(self):
        account = self.account.with_user(self.admin)
        account.write({"lwa_endpoint": EVIL_LWA})
        self.assertEqual(self.account.endpoint_approved_by_id, self.admin)
        self.assertTrue(self.account._amazon_endpoints_approved())
        with self.assertRaisesRegex(ValidationError, "plain http"):
            account.write({"api_endpoint": "http://192.0.2.7"})
        with self.assertRaisesRegex(ValidationError, "not a plain URL"):
            account.write({"lwa_endpoint": "https://api.amazon.com@collector.example.net/t"})

    # -- the exfiltration attempt ---------------------------------------------------------------

    def test_exfiltration_attempt_sends_nothing(self):
        """However a non-administrator's endpoint got there, no button sends the secrets to it."""
        manager_account = self.account.with_user(self.manager)
        attempts = [
            # a sudo() path run by the manager: stored, but not approved
            lambda: manager_account.sudo().write({"lwa_endpoint": EVIL_LWA}),
            lambda: manager_account.sudo().write({"api_endpoint": EVIL_API}),
            # straight into the table (an import, a script): no approval either
            lambda: self._set_endpoints_by_sql(lwa=EVIL_LWA),
            lambda: self._set_endpoints_by_sql(api="http://192.0.2.7"),
        ]
        for attempt in attempts:
            with self.subTest(attempt=attempts.index(attempt)):
                self.account.write({"api_endpoint": self.sim.url, "lwa_endpoint": self.sim.lwa_url})
                attempt()
                self.assertFalse(self.account._amazon_endpoints_approved())
                self.sim.requests.clear()
                with self.capture_logs() as logs:
                    said = self._press_every_button(manager_account)
                self.assertEqual(self.outbound, [], "a request left for a non-Amazon host")
                host = "192.0.2.7" if attempt is attempts[-1] else "collector.example.net"
                self.assertIn(host, said[0])
                for text in (said[0], said[2]):  # Test connection; the queued sync's run
                    self.assertRegex(text, "not Amazon's|plain http")
                self.assertNoSecret([*said, *logs, *self._chatter_texts(self.account)])
                self.assertFalse(
                    [r for r in self.sim.requests if r.get("path", "").endswith("/token")],
                    "no login attempted with a refused endpoint",
                )

    def test_administrator_override_still_works(self):
        self.account.with_user(self.admin).write({"lwa_endpoint": EVIL_LWA})
        with self.capture_logs() as logs:
            params = self.account.with_user(self.manager).action_test_connection()["params"]
        # The administrator's host was called (here: blocked by the test, so "could not reach").
        self.assertEqual([r.url.host for r in self.outbound], ["collector.example.net"])
        self.assertEqual(params["type"], "danger")
        self.assertIn("Could not reach", params["message"])
        self.assertNoSecret([params["message"], *logs, *self._chatter_texts(self.account)])

        # The same value once its administrator is no longer one: refused, nothing sent.
        self.outbound.clear()
        self.admin.write({"groups_id": [Command.unlink(self.env.ref("base.group_system").id)]})
        with self.assertRaisesRegex(UserError, "not Amazon's"):
            self.account.with_user(self.manager).action_test_connection()
        self.assertEqual(self.outbound, [])

    def test_approval_is_bound_to_the_values(self):
        self.account.with_user(self.admin).write({"lwa_endpoint": EVIL_LWA})
        self.assertTrue(self.account._amazon_endpoints_approved())
        self._set_endpoints_by_sql(self.sim.url, "https://other.example.net/auth/o2/token")
        self.assertFalse(self.account._amazon_endpoints_approved())
        with self.assertRaisesRegex(UserError, "other.example.net"):
            self.account.action_test_connection()
        self.assertEqual(self.outbound, [])

    def test_simulator_endpoints_work_for_everyone(self):
        self.account.with_user(self.admin).write({"api_endpoint": self.sim.url})
        params = self.account.with_user(self.manager).action_test_connection()["params"]
        self.assertEqual(params["type"], "success", params["message"])
        self.assertEqual(self.outbound, [])
