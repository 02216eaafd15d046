"""Fulfillment Inbound API 2024-03-20 without a database: the createInboundPlan body, its
refusals, Amazon's answers (the model's own examples) and the simulator, against the model."""

import datetime
import unittest

import httpx

from ..spapi import adapter as spapi_adapter
from ..spapi import const
from ..spapi import fulfillment_inbound as fi
from ..spapi.exceptions import AmazonMappingError, AmazonPermanentError
from ..tools.sp_api_simulator import SpApiSimulator
from .spapi_schema import load_model, validate_definition

MODEL = "fulfillmentInbound_2024-03-20.json"
PLANS = "/inbound/fba/2024-03-20/inboundPlans"
OPERATION = "/inbound/fba/2024-03-20/operations/{operationId}"
ADDRESS = {
    "name": "Main Warehouse",
    "companyName": "Acme Vitamins",
    "addressLine1": "1 Harbor Way",
    "addressLine2": None,
    "city": "Seattle",
    "stateOrProvinceCode": "WA",
    "postalCode": "98101",
    "countryCode": "US",
    "phoneNumber": "+1 206 555 0100",
    "email": False,
}


def sandbox_responses(path, method, status):
    response = load_model(MODEL)["paths"][path][method]["responses"][status]
    return [case["response"] for case in response["x-amzn-api-sandbox"]["static"]]


def two_lots():
    return [
        fi.PlanItem("VITC-500-FBA", 10, "LOT-A", datetime.date(2027, 3, 31)),
        fi.PlanItem("VITC-500-FBA", 6, "LOT-B", "2027-09-30"),
        fi.PlanItem("VITC-500-FBA", 2, "LOT-A", datetime.date(2027, 3, 31)),
    ]


class TestBuildRequest(unittest.TestCase):
    def setUp(self):
        super().setUp()
        self.model = load_model(MODEL)

    def build(self, **kwargs):
        values = {
            "marketplace_id": "ATVPDKIKX0DER",
            "items": two_lots(),
            "source_address": ADDRESS,
            "name": "WH/AMZUS/00001",
        }
        values.update(kwargs)
        return fi.build_request(**values)

    def test_two_lots_of_one_sku_with_expiry(self):
        body = self.build()
        self.assertEqual(
            validate_definition(body, self.model, "CreateInboundPlanRequest"), [], body
        )
        self.assertEqual(body["destinationMarketplaces"], ["ATVPDKIKX0DER"])
        self.assertEqual(
            [
                (i["msku"], i["manufacturingLotCode"], i["expiration"], i["quantity"])
                for i in body["items"]
            ],
            [
                ("VITC-500-FBA", "LOT-A", "2027-03-31", 12),
                ("VITC-500-FBA", "LOT-B", "2027-09-30", 6),
            ],
        )
        self.assertEqual({i["labelOwner"] for i in body["items"]}, {"SELLER"})
        self.assertEqual({i["prepOwner"] for i in body["items"]}, {"SELLER"})
        self.assertNotIn("addressLine2", body["sourceAddress"])  # empty values are left out
        self.assertNotIn("email", body["sourceAddress"])

    def test_item_without_lot_nor_expiry(self):
        body = self.build(items=[fi.PlanItem("SHAKER", 3)])
        self.assertEqual(validate_definition(body, self.model, "CreateInboundPlanRequest"), [])
        self.assertEqual(
            body["items"],
            [{"msku": "SHAKER", "quantity": 3, "labelOwner": "SELLER", "prepOwner": "SELLER"}],
        )

    def test_long_name_is_cut_to_amazons_40(self):
        body = self.build(name="X" * 60)
        self.assertEqual(len(body["name"]), 40)

    def assertRefused(self, field, regex, **kwargs):
        with self.assertRaises(fi.InboundPlanInvalid) as caught:
            self.build(**kwargs)
        self.assertEqual(caught.exception.field, field)
        self.assertRegex(str(caught.exception), regex)

    def test_refusals_name_the_field(self):
        self.assertRefused(
            "items[0].manufacturingLotCode",
            "rename the lot",
            items=[fi.PlanItem("SKU", 1, "L" * 257)],
        )
        self.assertRefused(
            "items[0].manufacturingLotCode", "printable", items=[fi.PlanItem("SKU", 1, "A\nB")]
        )
        self.assertRefused(
            "items[0].expiration", "YYYY-MM-DD", items=[fi.PlanItem("SKU", 1, "L", "31/03/2027")]
        )
        self.assertRefused(
            "items[0].quantity", "whole number", items=[fi.PlanItem("SKU", 1.5, "L")]
        )
        self.assertRefused("items[0].quantity", "1 to 500000", items=[fi.PlanItem("SKU", 0)])
        self.assertRefused("items[0].msku", "offer", items=[fi.PlanItem("", 1)])
        self.assertRefused("items", "nothing to send", items=[])
        self.assertRefused("items.labelOwner", "US marketplace", label_owner="AMAZON")
        self.assertRefused("items.prepOwner", "one of", prep_owner="MAYBE")
        self.assertRefused(
            "sourceAddress.phoneNumber",
            "phone number",
            source_address=dict(ADDRESS, phoneNumber=""),
        )
        self.assertRefused(
            "sourceAddress.city", "longer than the 30", source_address=dict(ADDRESS, city="C" * 31)
        )
        self.assertRefused(
            "sourceAddress.countryCode",
            "two-letter",
            source_address=dict(ADDRESS, countryCode="us"),
        )
        self.assertRefused("destinationMarketplaces", "marketplace", marketplace_id="")

    def test_amazon_labels_outside_the_us(self):
        body = self.build(marketplace_id="A1PA6795UKMFR9", label_owner="AMAZON")
        self.assertEqual({i["labelOwner"] for i in body["items"]}, {"AMAZON"})

    def test_too_many_items(self):
        items = [fi.PlanItem(f"SKU-{n}", 1) for n in range(fi.MAX_ITEMS + 1)]
        self.assertRefused("items", "split the transfer", items=items)


class TestAnswers(unittest.TestCase):
    def test_model_examples_parse(self):
        for create in sandbox_responses(PLANS, "post", "202"):
            self.assertEqual(
                fi.parse_create_response(create),
                (
                    "wf1234abcd-1234-abcd-5678-1234abcd5678",
                    "1234abcd-1234-abcd-5678-1234abcd5678",
                ),
            )
        (status,) = sandbox_responses(OPERATION, "get", "200")
        parsed = fi.parse_operation_status(status)
        self.assertEqual(parsed.status, fi.STATUS_SUCCESS)
        self.assertTrue(parsed.done)
        (problem,) = parsed.problems
        self.assertEqual((problem.code, problem.severity), ("DimensionMismatch", "WARNING"))
        self.assertFalse(problem.is_error)

    def test_malformed_answers(self):
        with self.assertRaises(AmazonMappingError) as caught:
            fi.parse_create_response({"inboundPlanId": "short", "operationId": "x" * 36})
        self.assertEqual(caught.exception.field, "inboundPlanId")
        with self.assertRaises(AmazonMappingError) as caught:
            fi.parse_operation_status(
                {"operationId": "a" * 36, "operationStatus": "DONE", "operationProblems": []}
            )
        self.assertEqual(caught.exception.field, "operationStatus")
        with self.assertRaises(AmazonMappingError):
            fi.parse_operation_status(
                {
                    "operationId": "a" * 36,
                    "operationStatus": "FAILED",
                    "operationProblems": [{"severity": "ERROR"}],
                }
            )

    def test_hints(self):
        def hint(message):
            return fi.problem_hint(fi.Problem("X", message, "ERROR"))

        self.assertIn("expiration date", hint("MSKU A requires an expiration date."))
        self.assertIn("Offers", hint("The MSKU B is not an FBA listing."))
        self.assertIn("Seller Central", hint("Something else."))

    def test_delays_are_capped(self):
        self.assertEqual(fi.retry_delay(1), datetime.timedelta(minutes=1))
        self.assertEqual(fi.retry_delay(3), datetime.timedelta(minutes=4))
        self.assertEqual(fi.retry_delay(50), fi.RETRY_CAP)
        self.assertEqual([fi.poll_delay(n) for n in (1, 2, 3, 4, 5, 99)], [5, 10, 20, 40, 60, 60])

    def test_seller_central_links(self):
        plan = "wf1234abcd-1234-abcd-5678-1234abcd5678"
        self.assertEqual(
            fi.send_to_amazon_url("US", plan),
            f"https://sellercentral.amazon.com/fba/sendtoamazon?wf={plan}",
        )
        self.assertEqual(
            fi.send_to_amazon_url("UK", plan),
            f"https://sellercentral.amazon.co.uk/fba/sendtoamazon?wf={plan}",
        )
        self.assertEqual(
            fi.send_to_amazon_url("DE"), "https://sellercentral.amazon.de/fba/sendtoamazon"
        )

    def test_documented_rate_limits(self):
        self.assertEqual(const.RATE_LIMITS[const.OP_CREATE_INBOUND_PLAN], (2.0, 2))
        self.assertEqual(const.RATE_LIMITS[const.OP_GET_INBOUND_OPERATION_STATUS], (2.0, 6))


class TestSimulator(unittest.TestCase):
    """The adapter against the simulator over real HTTP; the simulator's answers against the
    model."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.model = load_model(MODEL)
        cls.sim = SpApiSimulator(
            client_id="cid", client_secret="secret", refresh_token="Atzr|r", rate_limit=50.0
        )
        cls.sim.start()
        cls.addClassCleanup(cls.sim.stop)

    def setUp(self):
        super().setUp()
        self.adapter = spapi_adapter.SpApiAdapter(
            region="na",
            refresh_token="Atzr|r",
            lwa_client_id="cid",
            lwa_client_secret="secret",
            api_endpoint=self.sim.url,
            lwa_endpoint=self.sim.lwa_url,
            seller_key=f"inbound-{self.id()}",
        )
        self.addCleanup(self.adapter.close)
        self.sim.set_inbound_mskus(None)
        self.sim.inbound_polls_until_done = 1

    def body(self, items=None):
        return fi.build_request(
            marketplace_id="ATVPDKIKX0DER",
            items=items or two_lots(),
            source_address=ADDRESS,
            name="WH/AMZUS/00001",
        )

    def test_create_then_poll_until_success(self):
        self.sim.inbound_polls_until_done = 2
        body = self.body()
        plan, operation = self.adapter.create_inbound_plan(body)
        self.assertEqual(self.sim.inbound_plans()[plan], body)  # no marketplaceIds added
        statuses = [self.adapter.get_inbound_operation_status(operation) for _n in range(3)]
        self.assertEqual([s.status for s in statuses], ["IN_PROGRESS", "IN_PROGRESS", "SUCCESS"])

    def test_failed_operation_with_problems(self):
        self.sim.set_inbound_mskus(known={"VITC-500-FBA"}, needs_expiration={"VITC-500-FBA"})
        items = [
            fi.PlanItem("VITC-500-FBA", 2, "LOT-C"),
            fi.PlanItem("UNKNOWN-SKU", 1),
        ]
        _plan, operation = self.adapter.create_inbound_plan(self.body(items))
        self.adapter.get_inbound_operation_status(operation)  # IN_PROGRESS
        status = self.adapter.get_inbound_operation_status(operation)
        self.assertEqual(status.status, "FAILED")
        self.assertEqual(
            [(p.details, p.is_error) for p in status.problems],
            [("items[0].expiration", True), ("items[1].msku", True)],
        )

    def test_simulator_answers_follow_the_model(self):
        # Raw HTTP, to validate the JSON itself (the adapter returns parsed records).
        token = httpx.post(
            self.sim.lwa_url,
            data={
                "grant_type": "refresh_token",
                "client_id": "cid",
                "client_secret": "secret",
                "refresh_token": "Atzr|r",
            },
            timeout=10,
        ).json()["access_token"]
        headers = {"x-amz-access-token": token}
        created = httpx.post(self.sim.url + PLANS, json=self.body(), headers=headers, timeout=10)
        self.assertEqual(created.status_code, 202)
        self.assertEqual(
            validate_definition(created.json(), self.model, "CreateInboundPlanResponse"), []
        )
        for _n in range(2):
            polled = httpx.get(
                f"{self.sim.url}/inbound/fba/2024-03-20/operations/{created.json()['operationId']}",
                headers=headers,
                timeout=10,
            )
            self.assertEqual(
                validate_definition(polled.json(), self.model, "InboundOperationStatus"), []
            )
        bad = httpx.post(
            self.sim.url + PLANS,
            json=dict(self.body(), marketplaceIds=["ATVPDKIKX0DER"]),
            headers=headers,
            timeout=10,
        )
        self.assertEqual(bad.status_code, 400)
        self.assertEqual(validate_definition(bad.json(), self.model, "ErrorList"), [])

    def test_refused_body_is_permanent(self):
        body = self.body()
        body["destinationMarketplaces"] = ["badMarketplace"]
        with self.assertRaises(AmazonPermanentError) as caught:
            self.adapter.create_inbound_plan(body)
        self.assertIn("Invalid destinationMarketplace", str(caught.exception))
