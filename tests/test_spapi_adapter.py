"""The adapter through the real python-amazon-sp-api client against the local simulator over
real HTTP, plus the token buckets and the marketplace list (no database)."""

import datetime
import itertools
import time
import unittest
import uuid

from sp_api.base import Marketplaces

from ..spapi import adapter, const, mapping, ratelimit
from ..spapi.exceptions import (
    AmazonAuthError,
    AmazonBudgetExhausted,
    AmazonPermanentError,
    AmazonRetryableError,
    AmazonThrottledError,
)
from ..tools.sp_api_simulator import (
    ORDERS_PATH,
    TOKEN_PATH,
    SpApiSimulator,
    make_inventory_summary,
    make_item,
    make_order,
    make_participation,
)

US = "ATVPDKIKX0DER"
SINCE = datetime.datetime(2026, 1, 1)


class FakeClock:
    def __init__(self, now=1000.0):
        self.now = now

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


class TestTokenBucket(unittest.TestCase):
    def test_burst_then_pacing(self):
        clock = FakeClock()
        bucket = ratelimit.TokenBucket(0.5, 3, clock=clock)
        for _ in range(3):  # starts full: the whole burst at once
            self.assertEqual(bucket.wait_time(), 0.0)
            bucket.take()
        self.assertAlmostEqual(bucket.wait_time(), 2.0)
        clock.sleep(1.5)
        self.assertAlmostEqual(bucket.wait_time(), 0.5)
        clock.sleep(0.5)
        self.assertEqual(bucket.wait_time(), 0.0)
        bucket.take()
        clock.sleep(100)  # refills up to the burst, never beyond
        self.assertAlmostEqual(bucket.tokens, 3.0)

    def test_drain_and_hold(self):
        clock = FakeClock()
        bucket = ratelimit.TokenBucket(2.0, 5, clock=clock)
        bucket.drain()
        self.assertAlmostEqual(bucket.wait_time(), 0.5)
        bucket.hold(3.0)
        self.assertAlmostEqual(bucket.wait_time(), 3.0)
        clock.sleep(3.0)
        self.assertEqual(bucket.wait_time(), 0.0)

    def test_taking_early_goes_into_debt(self):
        clock = FakeClock()
        bucket = ratelimit.TokenBucket(1.0, 1, clock=clock)
        bucket.take()
        bucket.take()
        self.assertAlmostEqual(bucket.wait_time(), 2.0)

    def test_set_rate(self):
        clock = FakeClock()
        bucket = ratelimit.TokenBucket(0.0056, 20, clock=clock)
        for _ in range(20):
            bucket.take()
        self.assertAlmostEqual(bucket.wait_time(), 1 / 0.0056)
        bucket.set_rate("50")  # x-amzn-RateLimit-Limit is a string
        self.assertAlmostEqual(bucket.wait_time(), 0.02)
        for nonsense in ("", "abc", "0", "-1", None, "inf"):
            bucket.set_rate(nonsense)
        self.assertEqual(bucket.rate, 50.0)

    def test_registry_keeps_state_per_key(self):
        key = ("seller-" + uuid.uuid4().hex, "searchOrders")
        self.addCleanup(ratelimit.forget, key)
        bucket = ratelimit.bucket_for(key, 1.0, 2)
        bucket.take()
        self.assertIs(ratelimit.bucket_for(key, 1.0, 2), bucket)
        self.assertIsNot(ratelimit.bucket_for((key[0], "other"), 1.0, 2), bucket)
        ratelimit.forget((key[0], "other"))
        with self.assertRaises(ValueError):
            ratelimit.TokenBucket(0, 1)


class TestMarketplaces(unittest.TestCase):
    def test_against_the_library(self):
        rows = adapter.marketplaces()
        by_ref = {row["api_ref"]: row for row in rows}
        self.assertEqual(len(by_ref), len(rows), "each marketplace once (UK is GB's alias)")
        self.assertEqual(len(rows), len(list(Marketplaces)))
        region_of = {"us-east-1": "na", "eu-west-1": "eu", "us-west-2": "fe"}
        for marketplace in Marketplaces:
            row = by_ref[marketplace.marketplace_id]
            self.assertEqual(row["code"], marketplace.name)
            self.assertEqual(row["region"], region_of[marketplace.region])
            self.assertTrue(marketplace.endpoint.startswith("https://"))
            self.assertNotIn("Amazon " + row["code"], row["name"], "every code has a site name")
        self.assertEqual(by_ref[US]["name"], "Amazon.com (United States)")
        self.assertEqual(by_ref["A1PA6795UKMFR9"]["region"], "eu")
        self.assertEqual(by_ref["A1VC38T7YXB528"]["region"], "fe")


class AdapterCase(unittest.TestCase):
    rate_limit = 50.0
    page_size = 100

    def setUp(self):
        super().setUp()
        self.simulator = SpApiSimulator(
            page_size=self.page_size,
            rate_limit=self.rate_limit,
            client_id="amzn1.application-oa2-client.test-" + uuid.uuid4().hex[:8],
            client_secret="sim-secret-" + uuid.uuid4().hex,
            refresh_token="Atzr|sim-refresh-" + uuid.uuid4().hex,
        ).start()
        self.addCleanup(self.simulator.stop)
        self.sleeps = []

    def recording_sleep(self, seconds):
        self.sleeps.append(seconds)
        time.sleep(seconds)

    def make_adapter(self, **overrides):
        values = {
            "region": "na",
            "refresh_token": self.simulator.refresh_token,
            "lwa_client_id": self.simulator.client_id,
            "lwa_client_secret": self.simulator.client_secret,
            "api_endpoint": self.simulator.url,
            "lwa_endpoint": self.simulator.lwa_url,
            "seller_key": "test-" + uuid.uuid4().hex,
            "timeout": 5,
            "sleep": self.recording_sleep,
            "label": "Test account",
        }
        values.update(overrides)
        sp = adapter.SpApiAdapter(**values)
        self.addCleanup(sp.close)
        for operation in const.RATE_LIMITS:
            self.addCleanup(ratelimit.forget, (sp.seller_key, operation))
        return sp

    def orders(self, count):
        return [
            make_order(
                f"111-{index:07d}-0000001",
                items=[make_item(f"ITEM{index}", "SKU-1", 1, 10.0)],
                created=SINCE + datetime.timedelta(hours=index),
            )
            for index in range(count)
        ]

    def assertNoSecret(self, text):
        for secret in (self.simulator.client_secret, self.simulator.refresh_token):
            self.assertNotIn(secret, text)
            self.assertNotIn(secret[-12:], text)


class TestAdapterOrders(AdapterCase):
    def test_search_orders_three_pages(self):
        self.simulator.set_orders(self.orders(5))
        sp = self.make_adapter()
        pages = list(
            sp.iter_order_pages(marketplace_ids=[US], last_updated_after=SINCE, max_results=2)
        )
        self.assertEqual([len(page.orders) for page in pages], [2, 2, 1])
        self.assertEqual([bool(page.next_token) for page in pages], [True, True, False])
        self.assertTrue(pages[-1].last_updated_before)
        refs = [mapping.map_order(o).order_ref for page in pages for o in page.orders]
        self.assertEqual(refs, [f"111-{index:07d}-0000001" for index in range(5)])
        calls = self.simulator.api_requests(ORDERS_PATH)
        self.assertEqual(len(calls), 3)
        self.assertNotIn("paginationToken", calls[0]["params"])
        self.assertEqual(calls[1]["params"]["paginationToken"], pages[0].next_token)
        for call in calls:  # the filters repeat with the token, as Amazon requires
            self.assertEqual(call["params"]["lastUpdatedAfter"], "2026-01-01T00:00:00Z")
            self.assertEqual(call["params"]["marketplaceIds"], US)
            self.assertEqual(call["params"]["includedData"], ",".join(const.INCLUDED_DATA))
        tokens = [r for r in self.simulator.requests if r["path"] == TOKEN_PATH]
        self.assertEqual(len(tokens), 1, "the access token is reused")
        self.assertEqual(self.sleeps, [], "3 calls stay within the burst")
        self.assertEqual(sp.bucket(const.OP_SEARCH_ORDERS).rate, 50.0, "rate header honoured")

    def test_search_orders_page_by_creation(self):
        self.simulator.set_orders(self.orders(3))
        page = self.make_adapter().search_orders_page(
            marketplace_ids=[US],
            created_after=SINCE + datetime.timedelta(hours=1),
            created_before="2026-01-01T02:00:00Z",
        )
        self.assertEqual(
            [o["orderId"] for o in page.orders], ["111-0000001-0000001", "111-0000002-0000001"]
        )
        self.assertEqual(page.created_before, "2026-01-01T02:00:00Z")
        self.assertIsNone(page.last_updated_before)
        self.assertIsNone(page.next_token)

    def test_throttled_then_success(self):
        self.simulator.set_orders(self.orders(1))
        self.simulator.throttle_next(1)
        sp = self.make_adapter()
        page = sp.search_orders_page(marketplace_ids=[US], last_updated_after=SINCE)
        self.assertEqual(len(page.orders), 1)
        calls = self.simulator.api_requests(ORDERS_PATH)
        self.assertEqual([call["status"] for call in calls], [429, 200])
        # drained bucket at 50 req/s: the retry waited a full period, not less
        self.assertEqual(len(self.sleeps), 1)
        self.assertGreaterEqual(self.sleeps[0], 0.019)
        self.assertGreaterEqual(calls[1]["time"] - calls[0]["time"], 0.019)

    def test_throttled_honours_retry_after(self):
        self.simulator.throttle_next(1, retry_after=0.3)
        sp = self.make_adapter()
        sp.search_orders_page(marketplace_ids=[US], last_updated_after=SINCE)
        calls = self.simulator.api_requests(ORDERS_PATH)
        self.assertEqual([call["status"] for call in calls], [429, 200])
        self.assertGreaterEqual(calls[1]["time"] - calls[0]["time"], 0.29)

    def test_throttled_too_often_gives_up_without_a_storm(self):
        self.simulator.throttle_next(10)
        sp = self.make_adapter()
        with self.assertRaises(AmazonThrottledError) as caught:
            sp.search_orders_page(marketplace_ids=[US], last_updated_after=SINCE)
        self.assertIsInstance(caught.exception, AmazonRetryableError)
        self.assertIn("429", str(caught.exception))
        calls = self.simulator.api_requests(ORDERS_PATH)
        self.assertEqual(len(calls), 1 + const.MAX_THROTTLE_RETRIES)
        gaps = [b["time"] - a["time"] for a, b in itertools.pairwise(calls)]
        self.assertTrue(all(gap >= 0.019 for gap in gaps), gaps)

    def test_deadline_stops_before_sending(self):
        sp = self.make_adapter(deadline=time.monotonic() + 60)
        bucket = sp.bucket(const.OP_SEARCH_ORDERS)
        bucket.set_rate(const.SEARCH_ORDERS_RATE)
        bucket.drain()  # the next token is 178 s away, past the 60 s budget
        with self.assertRaises(AmazonBudgetExhausted) as caught:
            sp.search_orders_page(marketplace_ids=[US], last_updated_after=SINCE)
        self.assertIn("time budget", str(caught.exception))
        self.assertEqual(self.simulator.requests, [], "nothing was sent, not even a token")
        self.assertEqual(self.sleeps, [], "never sleeps past the deadline")

    def test_deadline_passed(self):
        sp = self.make_adapter(deadline=time.monotonic() - 1)
        with self.assertRaises(AmazonBudgetExhausted):
            sp.get_marketplace_participations()
        self.assertEqual(self.simulator.requests, [])

    def test_server_error_is_retryable(self):
        self.simulator.fail_next(1, status=500)
        sp = self.make_adapter()
        with self.assertRaises(AmazonRetryableError) as caught:
            sp.search_orders_page(marketplace_ids=[US], last_updated_after=SINCE)
        self.assertNotIsInstance(caught.exception, AmazonPermanentError)
        self.assertIn("HTTP 500", str(caught.exception))
        self.simulator.fail_next(1, status=503)
        with self.assertRaises(AmazonRetryableError):
            sp.search_orders_page(marketplace_ids=[US], last_updated_after=SINCE)

    def test_bad_request_is_permanent(self):
        sp = self.make_adapter()
        with self.assertRaises(AmazonPermanentError) as caught:
            sp.search_orders_page(marketplace_ids=[US], last_updated_after=SINCE, max_results=500)
        error = caught.exception
        self.assertNotIsInstance(error, AmazonAuthError)
        self.assertEqual((error.status, error.code), (400, "InvalidInput"))
        self.assertIn("maxResultsPerPage", str(error))
        with self.assertRaises(AmazonPermanentError) as caught:
            sp.search_orders_page(
                marketplace_ids=[US], last_updated_after=SINCE, page_token="bogus"
            )
        self.assertEqual(caught.exception.status, 400)

    def test_timeout_is_retryable(self):
        sp = self.make_adapter(timeout=0.3)
        sp.get_marketplace_participations()  # token fetched
        self.simulator.delay_next(1, seconds=1.0)
        with self.assertRaises(AmazonRetryableError) as caught:
            sp.get_marketplace_participations()
        self.assertIn("within 0.3 s", str(caught.exception))

    def test_lwa_timeout_is_retryable(self):
        self.simulator.delay_next(1, seconds=1.0)
        with self.assertRaises(AmazonRetryableError) as caught:
            self.make_adapter(timeout=0.3).get_marketplace_participations()
        self.assertIn("within 0.3 s", str(caught.exception))
        self.assertEqual(self.simulator.api_requests(), [])

    def test_unreachable_endpoint_is_retryable(self):
        sp = self.make_adapter(api_endpoint="http://127.0.0.1:9")
        with self.assertRaises(AmazonRetryableError) as caught:
            sp.get_marketplace_participations()
        self.assertIn("Could not reach Amazon", str(caught.exception))


class TestAdapterCredentials(AdapterCase):
    def test_wrong_secret(self):
        sp = self.make_adapter(lwa_client_secret="wrong-secret-value")
        with self.assertRaises(AmazonAuthError) as caught:
            sp.get_marketplace_participations()
        message = str(caught.exception)
        self.assertIn("Test account", message)
        self.assertIn("client secret", message)
        self.assertIn("refresh token", message)
        self.assertNotIn("wrong-secret-value", message)
        self.assertNoSecret(message)
        self.assertEqual(caught.exception.code, "invalid_client")
        self.assertEqual(self.simulator.api_requests(), [], "no API call without a token")

    def test_wrong_refresh_token(self):
        sp = self.make_adapter(refresh_token="Atzr|not-the-right-one")
        with self.assertRaises(AmazonAuthError) as caught:
            sp.search_orders_page(marketplace_ids=[US], last_updated_after=SINCE)
        self.assertEqual((caught.exception.status, caught.exception.code), (400, "invalid_grant"))
        self.assertNotIn("not-the-right-one", str(caught.exception))

    def test_token_cache_is_keyed_by_credentials(self):
        """Right credentials then a wrong secret for the same refresh token: the cached token
        of the first must not let the second through."""
        self.make_adapter().get_marketplace_participations()
        wrong = self.make_adapter(lwa_client_secret="another-wrong-secret")
        with self.assertRaises(AmazonAuthError):
            wrong.get_marketplace_participations()
        statuses = [r["status"] for r in self.simulator.requests if r["path"] == TOKEN_PATH]
        self.assertEqual(statuses, [200, 401])
        again = self.make_adapter()  # the right ones still use the cache
        again.get_marketplace_participations()
        statuses = [r["status"] for r in self.simulator.requests if r["path"] == TOKEN_PATH]
        self.assertEqual(statuses, [200, 401])

    def test_incomplete_credentials(self):
        sp = self.make_adapter(lwa_client_id="", lwa_client_secret="")
        with self.assertRaises(AmazonAuthError) as caught:
            sp.get_marketplace_participations()
        self.assertIn("incomplete", str(caught.exception))

    def test_revoked_access_token(self):
        sp = self.make_adapter()
        sp.get_marketplace_participations()
        self.simulator.revoke_tokens()
        with self.assertRaises(AmazonAuthError) as caught:
            sp.get_marketplace_participations()
        self.assertEqual(caught.exception.status, 403)
        self.assertIn("refresh token", str(caught.exception))

    def test_unreachable_lwa(self):
        sp = self.make_adapter(lwa_endpoint="http://127.0.0.1:9")
        with self.assertRaises(AmazonRetryableError):
            sp.get_marketplace_participations()

    def test_request_log_and_repr_hold_no_secret(self):
        sp = self.make_adapter()
        sp.get_marketplace_participations()
        self.assertNoSecret(repr(self.simulator.requests))
        self.assertNoSecret(repr(sp))

    def test_region_and_endpoint_defaults(self):
        sp = adapter.SpApiAdapter(
            region="eu", refresh_token="r", lwa_client_id="i", lwa_client_secret="s"
        )
        self.assertEqual(sp.api_endpoint, "https://sellingpartnerapi-eu.amazon.com")
        self.assertEqual(sp.lwa_endpoint, "https://api.amazon.com/auth/o2/token")
        with self.assertRaises(ValueError):
            adapter.SpApiAdapter(
                region="xx", refresh_token="r", lwa_client_id="i", lwa_client_secret="s"
            )


class TestAdapterSellersAndInventory(AdapterCase):
    page_size = 2

    def test_marketplace_participations(self):
        participations = [
            make_participation(),
            make_participation(
                "A1PA6795UKMFR9",
                country_code="DE",
                name="Amazon.de",
                currency="EUR",
                language="de_DE",
                domain="www.amazon.de",
                participating=False,
            ),
        ]
        self.simulator.set_participations(participations)
        result = self.make_adapter().get_marketplace_participations()
        self.assertEqual(result, participations)

    def test_inventory_pages(self):
        skus = [f"SKU-{index}" for index in range(5)]
        self.simulator.set_inventory(
            [make_inventory_summary(sku, fulfillable=index) for index, sku in enumerate(skus)]
        )
        sp = self.make_adapter()
        pages = list(sp.iter_inventory_pages(marketplace_id=US))
        self.assertEqual([len(page.summaries) for page in pages], [2, 2, 1])
        rows = [mapping.map_inventory_summary(s) for page in pages for s in page.summaries]
        self.assertEqual(
            [(row.sku, row.fulfillable) for row in rows], list(zip(skus, range(5), strict=True))
        )
        calls = self.simulator.api_requests("/fba/inventory/v1/summaries")
        self.assertEqual(calls[0]["params"]["details"], "true")
        self.assertEqual(calls[0]["params"]["granularityType"], "Marketplace")
        self.assertEqual(calls[0]["params"]["granularityId"], US)
        self.assertEqual(calls[1]["params"]["nextToken"], pages[0].next_token)
