import logging
import socket

from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from ..tools.sp_api_simulator import SpApiSimulator, make_participation
from .test_amazon_account import AmazonAccountCommon

CLIENT_ID = "amzn1.application-oa2-client.test"
CLIENT_SECRET = "fake-client-secret-7f3a"
REFRESH_TOKEN = "Atzr|fake.refresh.91bd"
PARTICIPATIONS = [
    make_participation(),
    make_participation(
        "A2EUQ1WTGCTBG2",
        country_code="CA",
        name="Amazon.ca",
        currency="CAD",
        language="en_CA",
        domain="www.amazon.ca",
    ),
]


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
        # The local SP-API simulator: Login with Amazon and the Sellers API over real HTTP.
        cls.sim = SpApiSimulator(
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            refresh_token=REFRESH_TOKEN,
            marketplace_participations=PARTICIPATIONS,
        )
        cls.sim.start()
        cls.addClassCleanup(cls.sim.stop)
        cls.base_url = cls.sim.url
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
            for secret in (CLIENT_SECRET, REFRESH_TOKEN, *self.sim._tokens):
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
        self.account.refresh_token = "Atzr|revoked.5555"
        params = self._test_connection()
        self.assertEqual(params["type"], "danger")
        self.assertIn("refresh token", params["message"].lower())
        self.assertNotIn("revoked.5555", params["message"])

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
