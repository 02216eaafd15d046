import json
import logging
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from .test_amazon_account import AmazonAccountCommon

CLIENT_ID = "amzn1.application-oa2-client.test"
CLIENT_SECRET = "fake-client-secret-7f3a"
REFRESH_TOKEN = "Atzr|fake-refresh-token-91bd"
ACCESS_TOKEN = "Atza|fake-access-token"
PARTICIPATIONS = [
    {
        "marketplace": {
            "id": marketplace_id,
            "name": name,
            "countryCode": country,
            "defaultCurrencyCode": currency,
            "defaultLanguageCode": language,
            "domainName": domain,
        },
        "participation": {"isParticipating": True, "hasSuspendedListings": False},
        "storeName": "Test Store",
    }
    for marketplace_id, name, country, currency, language, domain in (
        ("ATVPDKIKX0DER", "Amazon.com", "US", "USD", "en_US", "www.amazon.com"),
        ("A2EUQ1WTGCTBG2", "Amazon.ca", "CA", "CAD", "en_CA", "www.amazon.ca"),
    )
]


class FakeAmazonHandler(BaseHTTPRequestHandler):
    """Login with Amazon's token endpoint and the Sellers API, as far as the test needs."""

    def _reply(self, status, body):
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_POST(self):
        if self.path != "/auth/o2/token":
            return self._reply(404, {"error": "not_found"})
        length = int(self.headers.get("Content-Length", 0))
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        if (form.get("client_id"), form.get("client_secret")) != (CLIENT_ID, CLIENT_SECRET):
            return self._reply(
                401,
                {"error": "invalid_client", "error_description": "Client authentication failed"},
            )
        if form.get("refresh_token") != REFRESH_TOKEN:
            return self._reply(
                400,
                {"error": "invalid_grant", "error_description": "The refresh token is invalid"},
            )
        return self._reply(
            200,
            {
                "access_token": ACCESS_TOKEN,
                "refresh_token": REFRESH_TOKEN,
                "token_type": "bearer",
                "expires_in": 3600,
            },
        )

    def do_GET(self):
        if self.path != "/sellers/v1/marketplaceParticipations":
            return self._reply(404, {"errors": [{"code": "NotFound", "message": "Not found"}]})
        if self.headers.get("x-amz-access-token") != ACCESS_TOKEN:
            return self._reply(
                403, {"errors": [{"code": "Unauthorized", "message": "Access denied"}]}
            )
        return self._reply(200, {"payload": PARTICIPATIONS})

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        """Keep the test output quiet."""


class CapturingHandler(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@tagged("post_install", "-at_install")
class TestAmazonConnection(AmazonAccountCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        server = ThreadingHTTPServer(("127.0.0.1", 0), FakeAmazonHandler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        cls.addClassCleanup(thread.join)
        cls.addClassCleanup(server.server_close)
        cls.addClassCleanup(server.shutdown)
        cls.base_url = f"http://127.0.0.1:{server.server_address[1]}"
        cls.account = cls._create_account(
            cls.env.company,
            lwa_client_secret=CLIENT_SECRET,
            refresh_token=REFRESH_TOKEN,
            api_endpoint=cls.base_url,
            lwa_endpoint=f"{cls.base_url}/auth/o2/token",
        )

    def _test_connection(self, account=None):
        """Press the button, return its notification and every log message emitted meanwhile."""
        capture = CapturingHandler()
        root = logging.getLogger()
        old_level = root.level
        root.addHandler(capture)
        root.setLevel(logging.DEBUG)
        try:
            action = (account or self.account).action_test_connection()
        finally:
            root.setLevel(old_level)
            root.removeHandler(capture)
        self.assertEqual(action["tag"], "display_notification")
        params = action["params"]
        for text in [params["title"], params["message"], *capture.messages]:
            for secret in (CLIENT_SECRET, REFRESH_TOKEN, ACCESS_TOKEN):
                self.assertNotIn(secret, text)
            self.assertNotIn("Traceback", text)
        return params

    def test_connection_works(self):
        params = self._test_connection()
        self.assertEqual(params["type"], "success")
        self.assertEqual(
            params["message"], "Connected to Amazon as seller A1SELLERTEST: 2 marketplaces"
        )

    def test_wrong_client_secret(self):
        self._test_connection()  # a token for the right credentials is now cached
        self.account.lwa_client_secret = "wrong-client-secret-0000"
        params = self._test_connection()
        self.assertEqual(params["type"], "danger")
        self.assertTrue(params["sticky"])
        self.assertIn("refresh token", params["message"].lower())
        self.assertNotIn("wrong-client-secret-0000", params["message"])

    def test_wrong_refresh_token(self):
        self.account.refresh_token = "Atzr|revoked-token-5555"
        params = self._test_connection()
        self.assertEqual(params["type"], "danger")
        self.assertIn("refresh token", params["message"].lower())
        self.assertNotIn("revoked-token-5555", params["message"])

    def test_unreachable_endpoint(self):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            closed_port = sock.getsockname()[1]
        self.account.api_endpoint = f"http://127.0.0.1:{closed_port}"
        params = self._test_connection()
        self.assertEqual(params["type"], "danger")
        self.assertTrue(params["message"])

    def test_missing_credentials(self):
        self.account.refresh_token = False
        with self.assertRaisesRegex(UserError, "refresh token"):
            self.account.action_test_connection()

    def test_amazon_manager_tests_without_reading_secrets(self):
        manager = new_test_user(
            self.env,
            login="amazon_manager_connection",
            groups="base.group_user,amazon_fba_kit.amazon_fba_kit_group_manager",
        )
        account = self.account.with_user(manager)
        self.assertNotIn("refresh_token", account.read()[0])
        params = self._test_connection(account)
        self.assertEqual(params["type"], "success")
