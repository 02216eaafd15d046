"""Lots of Multi-Channel Fulfilment shipments as Amazon reports them (getFulfillmentOrder)."""

import copy
import unittest
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis_jsonschema import from_schema

from odoo import fields
from odoo.tests import new_test_user, tagged
from odoo.tests.common import BaseCase

from ..spapi import fulfillment_outbound
from ..spapi.exceptions import AmazonMappingError
from ..tools.sp_api_payloads import make_fulfillment_order, make_shipment_item
from . import spapi_schema
from .common_lots import AmazonLotCase

OUTBOUND_MODEL = "fulfillmentOutbound_2020-07-01.json"
OUTBOUND_2026 = "fulfillmentOutbound_2026-07-04.json"
GET_PATH = "/fba/outbound/2020-07-01/fulfillmentOrders/{sellerFulfillmentOrderId}"


def _example(model, path, key):
    operation = model["paths"][path]["get"]
    return operation["responses"]["200"]["examples"][key]


def _fulfillment_order_schema():
    """getFulfillmentOrder's shipments as Amazon's model allows them (closed objects, the
    fields the mapping reads), for hypothesis-jsonschema."""
    definitions = copy.deepcopy(spapi_schema.load_model(OUTBOUND_MODEL)["definitions"])
    shipment = definitions["FulfillmentShipment"]
    shipment["properties"] = {
        key: shipment["properties"][key]
        for key in (
            "amazonShipmentId",
            "fulfillmentCenterId",
            "fulfillmentShipmentStatus",
            "fulfillmentShipmentItem",
        )
    }
    for name in ("FulfillmentShipment", "FulfillmentShipmentItem"):
        definitions[name]["additionalProperties"] = False
        definitions[name].pop("example", None)
    return {
        "type": "object",
        "required": ["fulfillmentOrder"],
        "additionalProperties": False,
        "properties": {
            "fulfillmentOrder": {
                "type": "object",
                "required": ["sellerFulfillmentOrderId"],
                "additionalProperties": False,
                "properties": {"sellerFulfillmentOrderId": {"type": "string", "maxLength": 40}},
            },
            "fulfillmentShipments": {"$ref": "#/definitions/FulfillmentShipmentList"},
        },
        "definitions": definitions,
    }


class TestFulfillmentOutboundProperties(unittest.TestCase):
    @settings(
        max_examples=150,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(from_schema(_fulfillment_order_schema()))
    def test_any_model_answer_maps_or_is_refused(self, payload):
        """Whatever the model allows: lot records whose units add up, or AmazonMappingError
        naming the field; never another exception."""
        try:
            order = fulfillment_outbound.map_fulfillment_order(payload)
        except AmazonMappingError as exc:
            self.assertTrue(exc.field)
            self.assertIn(exc.field, str(exc))
            return
        for shipment in order.shipments:
            for item in shipment.items:
                lots = item.lot_quantities("lot")
                if lots:
                    self.assertEqual(sum(qty for _code, qty in lots), item.quantity)
                self.assertLessEqual(len(item.lot_quantities("serial")), item.quantity)


class TestFulfillmentOutboundMapping(BaseCase):
    """Pure: Amazon's example and malformed answers, without a database."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.model = spapi_schema.load_model(OUTBOUND_MODEL)

    def test_amazons_example(self):
        example = _example(self.model, GET_PATH, "payload")
        problems = spapi_schema.validate_definition(
            example, self.model, "GetFulfillmentOrderResult"
        )
        # Amazon's own example writes the order status in capitals (PROCESSING) while its
        # enum says Processing: the only deviation, and the mapping does not read it.
        self.assertEqual([p for p in problems if "fulfillmentOrderStatus" not in p], [], problems)
        order = fulfillment_outbound.map_fulfillment_order(example)
        self.assertEqual(order.order_ref, "FBATestOrder-1")
        shipment = order.shipments[0]
        self.assertEqual(shipment.status, "PENDING")
        self.assertEqual(order.shipped_items, [], "a PENDING shipment has not shipped yet")
        serial, lots = shipment.items
        self.assertEqual(serial.serial_numbers, ("a1b2c",))
        self.assertEqual(serial.lot_quantities("serial"), [("a1b2c", 1.0)])
        self.assertEqual(serial.lot_quantities("lot"), [], "a serial number is no lot code")
        self.assertEqual(lots.serial_numbers, (), "an empty serialNumber is none")
        # Two lot codes for 3 units, no quantity per code: split evenly, first takes the rest.
        self.assertEqual(lots.lot_quantities("lot"), [("LOT0822-1234", 2.0), ("LOT1030-5678", 1.0)])

    def test_simulator_payload_follows_the_model(self):
        payload = make_fulfillment_order(
            "MCF-ORDER-1",
            shipments=[
                (
                    "SHIPPED",
                    [
                        make_shipment_item("VITC-500", "I1", 2, lot_codes=["A", "B"]),
                        make_shipment_item("BPM-1", "I2", 1, serial_number="SN-1"),
                        make_shipment_item("SHAKER", "I3", 1),
                    ],
                )
            ],
        )
        problems = spapi_schema.validate_definition(
            payload, self.model, "GetFulfillmentOrderResult"
        )
        self.assertEqual(problems, [])
        order = fulfillment_outbound.map_fulfillment_order(payload)
        self.assertEqual(len(order.shipped_items), 3)
        self.assertEqual(order.shipped_items[0].lot_quantities(), [("A", 1.0), ("B", 1.0)])
        self.assertFalse(order.shipped_items[2].reported)

    def test_2026_unit_identifiers(self):
        model = spapi_schema.load_model(OUTBOUND_2026)
        example = _example(
            model, "/fulfillment/outbound/2026-07-04/orders/{orderId}", "application/json"
        )
        item = example["order"]["shipments"][0]["items"][0]
        item["unitIdentifiers"] = {"MANUFACTURER_LOT_CODE": ["L-1", "L-2"], "UPC": ["0123"]}
        self.assertEqual(spapi_schema.validate_definition(example, model, "GetOrderResponse"), [])
        order = fulfillment_outbound.map_fulfillment_order(example)
        self.assertEqual(order.order_ref, "ABC123XYZ")
        (shipped,) = order.shipped_items
        self.assertEqual(shipped.sku, "SKU123")
        self.assertEqual(shipped.lot_codes, ("L-1", "L-2"), "UPC is a product code, not a lot")
        self.assertEqual(shipped.lot_quantities(), [("L-1", 1.0)], "1 unit, 2 codes: one share")

    def test_split_evenly(self):
        split = fulfillment_outbound.split_evenly
        self.assertEqual(split(["A", "B", "C"], 7), [("A", 3.0), ("B", 2.0), ("C", 2.0)])
        self.assertEqual(split(["A", "A"], 2), [("A", 2.0)], "a repeated code counts once")
        self.assertEqual(split(["A", "B"], 1.5), [("A", 0.75), ("B", 0.75)])
        self.assertEqual(split([], 3), [])

    def test_malformed_answers_name_the_field(self):
        cases = [
            ([], "field payload must be an object"),
            ({"fulfillmentShipments": []}, "field fulfillmentOrder is missing"),
            (
                {
                    "fulfillmentOrder": {"sellerFulfillmentOrderId": "X"},
                    "fulfillmentShipments": [
                        {
                            "amazonShipmentId": "S",
                            "fulfillmentShipmentStatus": "LOST",
                            "fulfillmentShipmentItem": [],
                        }
                    ],
                },
                "fulfillmentShipments[0].fulfillmentShipmentStatus has an unknown value",
            ),
            (
                {
                    "fulfillmentOrder": {"sellerFulfillmentOrderId": "X"},
                    "fulfillmentShipments": [
                        {
                            "amazonShipmentId": "S",
                            "fulfillmentShipmentStatus": "SHIPPED",
                            "fulfillmentShipmentItem": [
                                {
                                    "sellerSku": "A",
                                    "sellerFulfillmentOrderItemId": "1",
                                    "quantity": 1,
                                    "manufacturerLotCodes": "LOT-1",
                                }
                            ],
                        }
                    ],
                },
                "fulfillmentShipmentItem[0].manufacturerLotCodes must be a list",
            ),
        ]
        for payload, message in cases:
            with self.subTest(message=message), self.assertRaises(AmazonMappingError) as caught:
                fulfillment_outbound.map_fulfillment_order(payload)
            self.assertIn(message, str(caught.exception))


@tagged("post_install", "-at_install")
class TestMcfLotCodes(AmazonLotCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account.fba_lot_policy = "fifo"
        cls.Mcf = cls.env["amazon.mcf.order"]

    def setUp(self):
        super().setUp()
        self.sim.clear_fulfillment_orders()

    # helpers ---------------------------------------------------------------------------------

    def _mcf_sync(self, ref, items, seller_ref=None):
        raw = self._order(ref, items, channel="NON_AMAZON")
        if seller_ref:
            raw["orderAliases"] = [{"aliasId": seller_ref, "aliasType": "SELLER_ORDER_ID"}]
        self.sim.set_orders([raw])
        self.account.last_orders_sync = self._ago(60)
        run = self._sync()
        self.assertFalse(run.failures, run.failures)
        return self.Mcf.search(
            [("account_id", "=", self.account.id), ("amazon_order_ref", "=", ref)]
        )

    def _fba_sale(self, ref, quantity):
        self.sim.set_orders([self._order(ref, [self._item("I1", "VITC-500", quantity)])])
        self.account.last_orders_sync = self._ago(60)
        self.assertFalse(self._sync().failures)
        return self._sale(ref)

    def _read(self):
        return self.Mcf._cron_amazon_read_lots()

    def _lines(self, mcf):
        lines = mcf.move_ids.filtered(lambda m: m.state == "done").move_line_ids
        booked = {}
        for line in lines:
            key = (line.lot_id.name, line.amazon_lot_source)
            booked[key] = booked.get(key, 0.0) + line.quantity
        return booked

    def _fo_requests(self):
        return [r for r in self.sim.api_requests() if "/fba/outbound/" in r["path"]]

    # tests -----------------------------------------------------------------------------------

    def test_reported_lots_booked_with_provenance_amazon(self):
        """Two lot codes for one item: split by Amazon's quantities (one item line per code)
        and evenly where one line names two; FIFO would have taken the oldest lot."""
        old, lot_a, lot_b = self._lot("OLD-1"), self._lot("LOT-A"), self._lot("LOT-B")
        self._arrive(old, 10, days_ago=30)
        self._arrive(lot_a, 10, days_ago=5)
        self._arrive(lot_b, 10, days_ago=2)
        mcf = self._mcf_sync(
            "113-6000001-0000001", [self._item("I1", "VITC-500", 5)], seller_ref="MCF-SHOP-1"
        )
        self.assertEqual(mcf.lot_state, "pending")
        self.assertEqual(mcf.fulfillment_order_ref, "MCF-SHOP-1")
        self.assertEqual(mcf.move_ids.state, "confirmed", "nothing booked before Amazon says")
        self.assertFalse(self._fo_requests(), "the order sync itself does not call Amazon")
        self.sim.set_fulfillment_order(
            make_fulfillment_order(
                "MCF-SHOP-1",
                shipments=[
                    (
                        "SHIPPED",
                        [
                            make_shipment_item("VITC-500", "SHOP-I1", 2, lot_codes=["LOT-A"]),
                            make_shipment_item(
                                "VITC-500", "SHOP-I1", 3, lot_codes=["LOT-A", "LOT-B"]
                            ),
                        ],
                    )
                ],
            )
        )
        self.assertEqual(self._read(), 1)
        self.assertEqual(mcf.lot_state, "done")
        self.assertEqual(self._lines(mcf), {("LOT-A", "amazon"): 4.0, ("LOT-B", "amazon"): 1.0})
        self.assertEqual(
            self._fo_requests()[0]["path"], GET_PATH.format(sellerFulfillmentOrderId="MCF-SHOP-1")
        )
        self.assertIn("booked with the lots Amazon reports: LOT-A, LOT-B", mcf.note)
        self.assertEqual(old.product_qty, 10, "FIFO's oldest lot untouched")
        # Idempotent: the order sync again books nothing more, the cron has nothing to do.
        self.account.last_orders_sync = self._ago(60)
        self._sync()
        self.assertEqual(len(mcf.move_ids), 1)
        self.assertEqual(self._read(), 0)

    def test_serial_reported_and_fallback_for_item_without_lots(self):
        """A serial number for the monitor; the vitamin item without lot codes: FIFO."""
        serial = self._lot("SN-7", product=self.serial_product)
        self._arrive(serial, 1, days_ago=3)
        self._arrive(self._lot("SN-8", product=self.serial_product), 1, days_ago=9)
        fifo_lot = self._lot("VIT-OLD")
        self._arrive(fifo_lot, 5, days_ago=20)
        mcf = self._mcf_sync(
            "113-6000002-0000001",
            [self._item("I1", "BPM-1", 1), self._item("I2", "VITC-500", 2)],
        )
        self.assertEqual(mcf.fulfillment_order_ref, "113-6000002-0000001", "no alias: order id")
        self.sim.set_fulfillment_order(
            make_fulfillment_order(
                "113-6000002-0000001",
                shipments=[
                    (
                        "SHIPPED",
                        [
                            make_shipment_item("BPM-1", "A1", 1, serial_number="SN-7"),
                            make_shipment_item("VITC-500", "A2", 2),
                        ],
                    )
                ],
            )
        )
        self._read()
        self.assertEqual(mcf.lot_state, "done")
        self.assertEqual(self._lines(mcf), {("SN-7", "amazon"): 1.0, ("VIT-OLD", "fifo"): 2.0})
        self.assertIn("Amazon names no lot for 2.0 unit(s) of [VITC-500] Vitamin C 500mg", mcf.note)

    def test_items_shipped_apart_are_booked_as_they_ship(self):
        self._arrive(self._lot("LOT-S"), 5, days_ago=5)
        self._arrive(self._lot("SN-S1", product=self.serial_product), 1, days_ago=5)
        mcf = self._mcf_sync(
            "113-6000011-0000001",
            [self._item("I1", "VITC-500", 1), self._item("I2", "BPM-1", 1)],
        )
        vitamin = make_shipment_item("VITC-500", "A1", 1, lot_codes=["LOT-S"])
        monitor = make_shipment_item("BPM-1", "A2", 1, serial_number="SN-S1")
        self.sim.set_fulfillment_order(
            make_fulfillment_order(
                "113-6000011-0000001", shipments=[("SHIPPED", [vitamin]), ("PENDING", [monitor])]
            )
        )
        self._read()
        self.assertEqual(mcf.lot_state, "pending", "the monitor has not shipped yet")
        self.assertEqual(self._lines(mcf), {("LOT-S", "amazon"): 1.0})
        self.assertIn("LOT-S", mcf.note)
        self.sim.set_fulfillment_order(
            make_fulfillment_order(
                "113-6000011-0000001", shipments=[("SHIPPED", [vitamin]), ("SHIPPED", [monitor])]
            )
        )
        mcf.lot_next_attempt = fields.Datetime.now()
        self._read()
        self.assertEqual(mcf.lot_state, "done")
        self.assertEqual(self._lines(mcf), {("LOT-S", "amazon"): 1.0, ("SN-S1", "amazon"): 1.0})
        self.assertIn("LOT-S", mcf.note)
        self.assertIn("SN-S1", mcf.note)

    def test_unknown_lot_code_stops_with_a_clear_message_then_retry(self):
        self._arrive(self._lot("LOT-A"), 5, days_ago=5)
        mcf = self._mcf_sync("113-6000003-0000001", [self._item("I1", "VITC-500", 2)])
        self.sim.set_fulfillment_order(
            make_fulfillment_order(
                "113-6000003-0000001",
                shipments=[
                    ("SHIPPED", [make_shipment_item("VITC-500", "A1", 2, lot_codes=["LOT-Z"])])
                ],
            )
        )
        self._read()
        self.assertEqual(mcf.lot_state, "error")
        self.assertIn("lot code LOT-Z of [VITC-500] Vitamin C 500mg", mcf.lot_message)
        self.assertIn("Odoo has no lot LOT-Z of that product", mcf.lot_message)
        self.assertEqual(mcf.move_ids.state, "confirmed", "nothing half booked")
        self.assertEqual(self._read(), 0, "an order in error waits for the user")
        # The user chooses to create unknown lots, and presses Read Lots Again.
        self.account.amazon_mcf_unknown_lot = "create"
        mcf.action_amazon_read_lots()
        self._read()
        self.assertEqual(mcf.lot_state, "done", mcf.lot_message)
        self.assertEqual(self._lines(mcf), {("LOT-Z", "amazon"): 2.0})
        created = self.env["stock.lot"].search([("name", "=", "LOT-Z")])
        self.assertEqual(created.product_id, self.lot_product)

    def test_not_shipped_yet_retries_then_falls_back_to_policy(self):
        lot = self._lot("LOT-F")
        self._arrive(lot, 5, days_ago=5)
        mcf = self._mcf_sync("113-6000004-0000001", [self._item("I1", "VITC-500", 1)])
        # Amazon does not know the fulfilment order yet: read again later.
        self._read()
        self.assertEqual(mcf.lot_state, "pending")
        self.assertIn("does not know fulfilment order 113-6000004-0000001", mcf.lot_message)
        self.assertGreater(mcf.lot_next_attempt, fields.Datetime.now())
        self.assertEqual(mcf.lot_attempt_count, 1)
        # Known, shipment still PENDING: later again.
        self.sim.set_fulfillment_order(
            make_fulfillment_order(
                "113-6000004-0000001",
                shipments=[("PENDING", [make_shipment_item("VITC-500", "A1", 1)])],
            )
        )
        mcf.lot_next_attempt = fields.Datetime.now()
        self._read()
        self.assertEqual(mcf.lot_state, "pending")
        self.assertIn("no shipped shipment yet for VITC-500", mcf.lot_message)
        # Throttled: retried later, nothing lost.
        self.sim.throttle_next(4)  # the adapter's retries, then it gives up
        mcf.lot_next_attempt = fields.Datetime.now()
        self._read()
        self.assertEqual(mcf.lot_state, "pending")
        self.assertIn("HTTP 429", mcf.lot_message)
        # The account's wait is over: the lot policy books it, and says so.
        mcf.write({"lot_next_attempt": fields.Datetime.now(), "lot_wait_until": self._ago(1)})
        self._read()
        self.assertEqual(mcf.lot_state, "done")
        self.assertEqual(self._lines(mcf), {("LOT-F", "fifo"): 1.0})
        self.assertIn("booked with the account's lot policy", mcf.note)

    def test_kit_only_fallback_leaves_units_unbooked_once(self):
        self.account.fba_lot_policy = "kit"
        self.account.amazon_mcf_lot_wait_hours = 0
        self._arrive(self._lot("LOT-K"), 5, days_ago=5)
        mcf = self._mcf_sync("113-6000005-0000001", [self._item("I1", "VITC-500", 2)])
        self._read()
        self.assertEqual(mcf.lot_state, "done")
        self.assertEqual(mcf.move_ids.state, "cancel")
        self.assertIn("not booked", mcf.note)
        self.account.last_orders_sync = self._ago(60)
        self._sync()
        self.assertEqual(len(mcf.move_ids), 1, "the unbooked units are not asked for again")

    def test_kit_policy_still_books_reported_lots(self):
        self.account.fba_lot_policy = "kit"
        self._arrive(self._lot("LOT-R"), 5, days_ago=5)
        mcf = self._mcf_sync("113-6000006-0000001", [self._item("I1", "VITC-500", 2)])
        self.sim.set_fulfillment_order(
            make_fulfillment_order(
                "113-6000006-0000001",
                shipments=[
                    ("SHIPPED", [make_shipment_item("VITC-500", "A1", 2, lot_codes=["LOT-R"])])
                ],
            )
        )
        self._read()
        self.assertEqual(self._lines(mcf), {("LOT-R", "amazon"): 2.0})

    def test_reported_lot_without_stock_at_amazon_stops(self):
        self._lot("LOT-E")  # known, but none of it at Amazon
        mcf = self._mcf_sync("113-6000007-0000001", [self._item("I1", "VITC-500", 1)])
        self.sim.set_fulfillment_order(
            make_fulfillment_order(
                "113-6000007-0000001",
                shipments=[
                    ("SHIPPED", [make_shipment_item("VITC-500", "A1", 1, lot_codes=["LOT-E"])])
                ],
            )
        )
        self._read()
        self.assertEqual(mcf.lot_state, "error")
        self.assertIn("has 0.0 of that lot free", mcf.lot_message)

    def test_provenance_counts_and_recall(self):
        lot_a = self._lot("LOT-PA")
        self._arrive(lot_a, 10, days_ago=5)
        mcf = self._mcf_sync("113-6000008-0000001", [self._item("I1", "VITC-500", 3)])
        self.sim.set_fulfillment_order(
            make_fulfillment_order(
                "113-6000008-0000001",
                shipments=[
                    ("SHIPPED", [make_shipment_item("VITC-500", "A1", 3, lot_codes=["LOT-PA"])])
                ],
            )
        )
        self._read()
        # An FBA sale of the kit, lot inferred (FIFO): same lot.
        self._fba_sale("113-6000009-0000001", 2)
        sale = self._sale("113-6000009-0000001")
        account = self.account
        account.invalidate_recordset()
        self.assertEqual(account.amazon_units_reported, 3)
        self.assertEqual(account.amazon_units_inferred, 2)
        self.assertEqual(account.amazon_units_manual, 0)
        self.assertEqual(account.amazon_units_unattributed, 0)
        old = account._amazon_provenance_counts(
            date_from=fields.Datetime.now() - timedelta(days=60),
            date_to=fields.Datetime.now() - timedelta(days=31),
        )
        self.assertEqual(old["amazon"] + old["inferred"], 0, "outside the period")
        # Kit only from now on: a further sale stays not attributed.
        account.fba_lot_policy = "kit"
        self._fba_sale("113-6000010-0000001", 4)
        account.invalidate_recordset()
        self.assertEqual(account.amazon_units_unattributed, 4)
        # The recall separates the order whose lot Amazon reported from the inferred one.
        recall = self.env["stock.lot.amazon.recall"].create({"lot_id": lot_a.id})
        recall.action_find_orders()
        by_source = {
            (line.sale_order_id or line.mcf_order_id): line.lot_source for line in recall.line_ids
        }
        self.assertEqual(by_source[mcf], "amazon")
        self.assertEqual(by_source[sale], "inferred")
        self.assertEqual(recall.reported_count, 1)
        self.assertEqual(recall.inferred_count, 1)
        mcf_line = recall.line_ids.filtered("mcf_order_id")
        self.assertEqual(mcf_line.quantity, 3)
        self.assertEqual(mcf_line.provenance, "Reported by Amazon")
        rows = recall._export_rows()
        self.assertIn("MCF 113-6000008-0000001", [row["order_ref"] for row in rows])
        # An Amazon user (Sales: own documents only) sees the account's counts, not his own.
        user = new_test_user(
            self.env, login="afk_mcf_counts", groups="amazon_fba_kit.amazon_fba_kit_group_user"
        )
        as_user = account.with_user(user)
        self.assertEqual(as_user.amazon_units_reported, 3)
        self.assertEqual(as_user.amazon_units_inferred, 2)
        self.assertEqual(as_user.amazon_units_unattributed, 4)

    def test_provenance_counts_query_count_is_constant(self):
        lot = self._lot("LOT-Q")
        self._arrive(lot, 50, days_ago=5)
        for index in range(2):
            self._fba_sale(f"113-600002{index}-0000001", 1)
        self.account.invalidate_recordset()
        self.env.invalidate_all()
        with self.assertQueryCount(__system__=13):
            self.account._amazon_provenance_counts()
        for index in range(2, 8):
            self._fba_sale(f"113-600002{index}-0000001", 1)
        self.env.invalidate_all()
        with self.assertQueryCount(__system__=13):
            counts = self.account._amazon_provenance_counts()
        self.assertEqual(counts["inferred"], 8)
