"""The SP-API simulator over raw HTTP (urllib): Amazon's validation rules, filters, datasets,
headers and the model's shapes; plus its command line (no database)."""

import datetime
import json
import os
import subprocess
import sys
import unittest
import urllib.error
import urllib.parse
import urllib.request

from ..tools.sp_api_simulator import (
    INVENTORY_PATH,
    ORDERS_PATH,
    PARTICIPATIONS_PATH,
    SpApiSimulator,
    make_inventory_summary,
    make_item,
    make_order,
)
from .spapi_schema import load_fixture, load_model, validate_definition

US, DE = "ATVPDKIKX0DER", "A1PA6795UKMFR9"
T0 = datetime.datetime(2026, 1, 1)


def _request(url, data=None, headers=None):
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.headers, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, json.loads(error.read())


class TestSimulator(unittest.TestCase):
    def setUp(self):
        super().setUp()
        self.orders = [
            make_order(
                "1-FBA-US",
                items=[make_item("I1", "A", 1, 5.0, serial_numbers=["S1"])],
                created=T0,
                last_updated=T0 + datetime.timedelta(hours=5),
            ),
            make_order(
                "2-FBM-US",
                fulfilled_by="MERCHANT",
                status="UNSHIPPED",
                items=[make_item("I2", "B", 2, 3.5, promotion_ids=["P"], tax=0.7)],
                created=T0 + datetime.timedelta(hours=1),
            ),
            make_order(
                "3-FBA-DE",
                marketplace_id=DE,
                status="CANCELLED",
                items=[make_item("I3", "C", 1, 9.0, currency="EUR")],
                created=T0 + datetime.timedelta(hours=2),
            ),
        ]
        self.simulator = SpApiSimulator(orders=self.orders).start()
        self.addCleanup(self.simulator.stop)
        status, _headers, body = _request(
            self.simulator.lwa_url,
            {
                "grant_type": "refresh_token",
                "refresh_token": self.simulator.refresh_token,
                "client_id": self.simulator.client_id,
                "client_secret": self.simulator.client_secret,
            },
        )
        self.assertEqual(status, 200)
        self.token = body["access_token"]

    def get(self, path, token=True, **params):
        query = urllib.parse.urlencode(params, doseq=True)
        headers = {"x-amz-access-token": self.token} if token else {}
        return _request(f"{self.simulator.url}{path}?{query}", headers=headers)

    def search(self, **params):
        status, _headers, body = self.get(ORDERS_PATH, **params)
        self.assertEqual(status, 200, body)
        return body

    def assertInvalid(self, path=ORDERS_PATH, fragment=None, **params):
        status, _headers, body = self.get(path, **params)
        self.assertEqual(status, 400, body)
        self.assertEqual(body["errors"][0]["code"], "InvalidInput")
        if fragment:
            self.assertIn(fragment, body["errors"][0]["message"])

    def test_token_endpoint(self):
        self.assertTrue(self.token.startswith("Atza|sim-"))
        good = {
            "grant_type": "refresh_token",
            "refresh_token": self.simulator.refresh_token,
            "client_id": self.simulator.client_id,
            "client_secret": self.simulator.client_secret,
        }
        cases = [
            ({"client_secret": "nope"}, 401, "invalid_client"),
            ({"client_id": "nope"}, 401, "invalid_client"),
            ({"refresh_token": "nope"}, 400, "invalid_grant"),
            ({"grant_type": "password"}, 400, "unsupported_grant_type"),
        ]
        for change, expected_status, error in cases:
            status, _headers, body = _request(self.simulator.lwa_url, {**good, **change})
            self.assertEqual((status, body["error"]), (expected_status, error))
            self.assertTrue(body["error_description"])
        log = json.dumps(self.simulator.requests)
        self.assertNotIn(self.simulator.client_secret, log)
        self.assertNotIn(self.simulator.refresh_token, log)

    def test_api_needs_an_issued_token(self):
        status, _headers, body = self.get(PARTICIPATIONS_PATH, token=False)
        self.assertEqual(status, 403)
        self.assertEqual(body["errors"][0]["code"], "Unauthorized")
        self.token = "Atza|forged"
        self.assertEqual(self.get(PARTICIPATIONS_PATH)[0], 403)

    def test_headers(self):
        status, headers, _body = self.get(ORDERS_PATH, lastUpdatedAfter="2026-01-01T00:00:00Z")
        self.assertEqual(status, 200)
        self.assertEqual(headers["x-amzn-RateLimit-Limit"], "0.0056")
        self.assertTrue(headers["x-amzn-RequestId"])
        self.assertEqual(self.get(INVENTORY_PATH)[1]["x-amzn-RateLimit-Limit"], "2.0")

    def test_search_validation(self):
        after = "2026-01-01T00:00:00Z"
        self.assertInvalid(fragment="Exactly one")
        self.assertInvalid(createdAfter=after, lastUpdatedAfter=after)
        self.assertInvalid(createdAfter=after, lastUpdatedBefore=after)
        self.assertInvalid(lastUpdatedAfter=after, createdBefore=after)
        self.assertInvalid(createdAfter="1st of January")
        self.assertInvalid(createdAfter=after, createdBefore="2025-12-31T00:00:00Z")
        recent = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=30)
        self.assertInvalid(
            fragment="two minutes", lastUpdatedAfter=after, lastUpdatedBefore=recent.isoformat()
        )
        for size in ("0", "101", "ten"):
            self.assertInvalid(createdAfter=after, maxResultsPerPage=size)
        self.assertInvalid(createdAfter=after, fulfillmentStatuses="SHIPPED,LOST")
        self.assertInvalid(createdAfter=after, fulfilledBy="SOMEONE")
        self.assertInvalid(createdAfter=after, includedData="BUYER,SECRETS")
        self.assertInvalid(createdAfter=after, paginationToken="not-a-token")

    def test_pagination_token_is_bound_to_the_query(self):
        first = self.search(createdAfter="2026-01-01T00:00:00Z", maxResultsPerPage=1)
        token = first["pagination"]["nextToken"]
        second = self.search(
            createdAfter="2026-01-01T00:00:00Z", maxResultsPerPage=2, paginationToken=token
        )
        self.assertEqual([o["orderId"] for o in second["orders"]], ["2-FBM-US", "3-FBA-DE"])
        self.assertNotIn("pagination", second)
        self.assertInvalid(
            fragment="paginationToken", createdAfter="2026-01-01T00:00:01Z", paginationToken=token
        )

    def test_filters(self):
        def refs(**params):
            return [o["orderId"] for o in self.search(**params)["orders"]]

        self.assertEqual(
            refs(createdAfter="2026-01-01T00:00:00Z"), ["1-FBA-US", "2-FBM-US", "3-FBA-DE"]
        )
        self.assertEqual(  # bounds are inclusive
            refs(createdAfter="2026-01-01T01:00:00Z", createdBefore="2026-01-01T02:00:00Z"),
            ["2-FBM-US", "3-FBA-DE"],
        )
        self.assertEqual(
            refs(createdAfter="2026-01-01T00:00:00Z", marketplaceIds=US), ["1-FBA-US", "2-FBM-US"]
        )
        self.assertEqual(
            refs(createdAfter="2026-01-01T00:00:00Z", marketplaceIds=[US, DE]),
            ["1-FBA-US", "2-FBM-US", "3-FBA-DE"],
        )
        self.assertEqual(
            refs(createdAfter="2026-01-01T00:00:00Z", fulfilledBy="MERCHANT"), ["2-FBM-US"]
        )
        self.assertEqual(
            refs(createdAfter="2026-01-01T00:00:00Z", fulfillmentStatuses="CANCELLED,UNSHIPPED"),
            ["2-FBM-US", "3-FBA-DE"],
        )
        # by last update: ordered by lastUpdatedTime
        self.assertEqual(
            refs(lastUpdatedAfter="2026-01-01T00:30:00Z"), ["2-FBM-US", "3-FBA-DE", "1-FBA-US"]
        )
        body = self.search(
            lastUpdatedAfter="2026-01-01T03:00:00Z", lastUpdatedBefore="2026-01-01T05:00:00Z"
        )
        self.assertEqual([o["orderId"] for o in body["orders"]], ["1-FBA-US"])
        self.assertEqual(body["lastUpdatedBefore"], "2026-01-01T05:00:00Z")
        self.assertNotIn("createdBefore", body)

    def test_included_data(self):
        bare = self.search(createdAfter="2026-01-01T00:00:00Z")["orders"][1]
        for key in ("buyer", "recipient", "proceeds", "fulfillment"):
            self.assertNotIn(key, bare)
        self.assertNotIn("proceeds", bare["orderItems"][0])
        self.assertEqual(bare["orderItems"][0]["product"]["sellerSku"], "B")
        full = self.search(
            createdAfter="2026-01-01T00:00:00Z", includedData="BUYER,PROCEEDS,PROMOTION,FULFILLMENT"
        )["orders"][1]
        self.assertIn("buyer", full)
        self.assertNotIn("recipient", full)
        self.assertEqual(full["fulfillment"]["fulfilledBy"], "MERCHANT")
        self.assertEqual(full["orderItems"][0]["promotion"]["breakdowns"][0]["promotionId"], "P")
        self.assertNotIn("tax", full["orderItems"][0])

    def test_responses_follow_the_models(self):
        orders_model = load_model("orders_2026-01-01.json")
        for order in self.orders:
            self.assertEqual(validate_definition(order, orders_model, "Order"), [])
        body = self.search(
            createdAfter="2026-01-01T00:00:00Z",
            includedData="BUYER,RECIPIENT,PROCEEDS,TAX,FULFILLMENT,PROMOTION",
        )
        self.assertEqual(validate_definition(body, orders_model, "SearchOrdersResponse"), [])
        for name in ("orders_model_example.json", "orders_fba_fbm.json"):
            self.assertEqual(
                validate_definition(load_fixture(name), orders_model, "SearchOrdersResponse"), []
            )
        status, _headers, body = self.get(PARTICIPATIONS_PATH)
        self.assertEqual(status, 200)
        sellers = load_model("sellers.json")
        self.assertEqual(
            validate_definition(body, sellers, "GetMarketplaceParticipationsResponse"), []
        )
        inventory = load_model("fbaInventory.json")
        self.simulator.set_inventory([make_inventory_summary("A", fulfillable=3)])
        status, _headers, body = self.get(
            INVENTORY_PATH,
            details="true",
            granularityType="Marketplace",
            granularityId=US,
            marketplaceIds=US,
        )
        self.assertEqual(status, 200)
        self.assertEqual(validate_definition(body, inventory, "GetInventorySummariesResponse"), [])
        fixture = load_fixture("inventory_summaries.json")
        self.assertEqual(
            validate_definition(fixture, inventory, "GetInventorySummariesResponse"), []
        )
        # the validator does catch mistakes
        broken = dict(self.orders[0], orderItems=[{"orderItemId": "X", "quantityOrdered": "1"}])
        self.assertEqual(len(validate_definition(broken, orders_model, "Order")), 2)

    def test_inventory(self):
        self.simulator.page_size = 2
        self.simulator.set_inventory([make_inventory_summary(sku, fulfillable=1) for sku in "ABC"])
        self.assertInvalid(INVENTORY_PATH, granularityId=US, marketplaceIds=US)
        self.assertInvalid(INVENTORY_PATH, granularityType="Marketplace", marketplaceIds=US)
        self.assertInvalid(INVENTORY_PATH, granularityType="Marketplace", granularityId=US)
        params = {"granularityType": "Marketplace", "granularityId": US, "marketplaceIds": US}
        status, _headers, first = self.get(INVENTORY_PATH, **params)
        self.assertEqual(status, 200)
        summaries = first["payload"]["inventorySummaries"]
        self.assertEqual([s["sellerSku"] for s in summaries], ["A", "B"])
        self.assertNotIn("inventoryDetails", summaries[0])  # details=false by default
        token = first["pagination"]["nextToken"]
        status, _headers, second = self.get(
            INVENTORY_PATH, details="true", nextToken=token, **params
        )
        self.assertEqual([s["sellerSku"] for s in second["payload"]["inventorySummaries"]], ["C"])
        self.assertIn("inventoryDetails", second["payload"]["inventorySummaries"][0])
        self.assertNotIn("pagination", second)
        status, _headers, only = self.get(INVENTORY_PATH, sellerSkus="B,C", **params)
        self.assertEqual(
            [s["sellerSku"] for s in only["payload"]["inventorySummaries"]], ["B", "C"]
        )

    def test_scripted_failures_and_log(self):
        self.simulator.rate_limit = 50
        self.simulator.throttle_next(1, retry_after=2)
        self.simulator.fail_next(1, status=503)
        status, headers, body = self.get(PARTICIPATIONS_PATH)
        self.assertEqual(
            (status, headers["Retry-After"], headers["x-amzn-RateLimit-Limit"]), (429, "2", "50")
        )
        self.assertEqual(body["errors"][0]["code"], "QuotaExceeded")
        self.assertEqual(self.get(PARTICIPATIONS_PATH)[0], 503)
        self.assertEqual(self.get(PARTICIPATIONS_PATH)[0], 200)
        self.assertEqual(self.get("/nowhere")[0], 404)
        log = self.simulator.api_requests(PARTICIPATIONS_PATH)
        self.assertEqual([entry["status"] for entry in log], [429, 503, 200])
        self.assertEqual(set(log[0]), {"time", "method", "path", "params", "status"})


class TestSimulatorCommandLine(unittest.TestCase):
    def test_main_serves_orders_from_a_file(self):
        script = os.path.join(
            os.path.dirname(os.path.dirname(__file__)), "tools", "sp_api_simulator.py"
        )
        fixture = os.path.join(os.path.dirname(__file__), "fixtures", "orders_fba_fbm.json")
        process = subprocess.Popen(
            [sys.executable, script, "--orders", fixture, "--port", "0"],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            line = process.stdout.readline()
            self.assertIn("http://127.0.0.1:", line)
            url = line.split()[-1]
            status, _headers, body = _request(
                url + "/auth/o2/token",
                {
                    "grant_type": "refresh_token",
                    "refresh_token": "Atzr|fake-refresh-token",
                    "client_id": "fake-client-id",
                    "client_secret": "fake-client-secret",
                },
            )
            self.assertEqual(status, 200)
            query = urllib.parse.urlencode({"createdAfter": "2026-01-01T00:00:00Z"})
            status, _headers, body = _request(
                f"{url}{ORDERS_PATH}?{query}", headers={"x-amz-access-token": body["access_token"]}
            )
            self.assertEqual(status, 200)
            self.assertEqual(len(body["orders"]), 3)
        finally:
            process.terminate()
            process.wait(timeout=10)
            process.stdout.close()
