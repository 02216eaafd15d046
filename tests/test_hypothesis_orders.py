"""Property tests: orders generated from Amazon's own JSON schema (hypothesis-jsonschema).

Bounded and derandomized, so CI is deterministic: mapping-only tests 150 examples each, the
booking test 30.
"""

import itertools
import unittest
from decimal import Decimal

from hypothesis import HealthCheck, given, settings

from odoo.tests import tagged

from ..models.amazon_account_orders import SyncRun
from ..spapi import const, mapping
from ..spapi.exceptions import AmazonMappingError
from ..tools import order_generator
from .common_sync import AmazonSyncCase

SKUS = ("SHAKER", "VITC-500", "BPM-1", "GHOST-SKU")
PURE = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
BOOKING = settings(PURE, max_examples=30)


class TestMappingProperties(unittest.TestCase):
    @PURE
    @given(order_generator.raw_order_strategy())
    def test_any_model_order_maps_or_is_refused(self, raw):
        """Whatever the model allows: a mapped order, or AmazonMappingError; never another."""
        try:
            order = mapping.map_order(raw)
        except AmazonMappingError as exc:
            self.assertTrue(exc.field)
            self.assertIn(exc.field, str(exc))
            return
        for line in order.lines:
            booked = line.quantity_to_book(const.FULFILLED_BY_AMAZON)
            self.assertLessEqual(booked, line.quantity)
            if line.quantity_shipped is not None:
                self.assertEqual(booked, line.quantity_shipped)
            self.assertLessEqual(line.quantity_to_book("MERCHANT"), line.quantity)
        if order.grand_total is not None:
            self.assertEqual(order.seller_total, order.grand_total - order.facilitator_tax)

    def test_nul_character_refused(self):
        """Found by the generated set: PostgreSQL cannot store it, so mapping refuses it."""
        raw = {
            "orderId": "111-0000000-0000001",
            "createdTime": "2026-01-01T00:00:00Z",
            "lastUpdatedTime": "2026-01-01T00:00:00Z",
            "salesChannel": {"channelName": "AMAZON"},
            "fulfillment": {"fulfillmentStatus": "SHIPPED", "fulfilledBy": "AMAZON"},
            "orderItems": [
                {
                    "orderItemId": "I\x001",
                    "quantityOrdered": 1,
                    "product": {"sellerSku": "A", "serialNumbers": ["S\x00"]},
                }
            ],
        }
        with self.assertRaisesRegex(AmazonMappingError, "orderItems.0..orderItemId contains a NUL"):
            mapping.map_order(raw)
        raw["orderItems"][0]["orderItemId"] = "I1"
        with self.assertRaisesRegex(AmazonMappingError, "serialNumbers.0. contains a NUL"):
            mapping.map_order(raw)

    @PURE
    @given(order_generator.bookable_order_strategy(SKUS))
    def test_seller_total_is_amazons(self, generated):
        raw = order_generator.repair(generated, "111-0000000-0000000", "2026-01-01T00:00:00Z")
        order = mapping.map_order(raw)
        self.assertEqual(order.seller_total, order_generator.expected_total(raw))


@tagged("post_install", "-at_install")
class TestBookingProperties(AmazonSyncCase):
    refs = itertools.count(1)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["stock.quant"]._update_available_quantity(
            cls.plain_product, cls.amazon_location, 10000
        )

    @BOOKING
    @given(order_generator.bookable_order_strategy(SKUS))
    def test_generated_orders_book_amazons_totals(self, generated):
        ref = f"999-{next(self.refs):07d}-0000001"
        raw = order_generator.repair(generated, ref, "2026-11-01T00:00:00Z")
        run = SyncRun(self.account)
        self.account._amazon_apply_orders([raw], run)
        order = self._sale(ref)
        error = self._error(ref)
        if error:
            self.assertNotEqual(error.kind, "unexpected", error.message)
            self.assertTrue(error.message)
            return
        if not order:
            return  # pending, cancelled, MCF (stock only) or ignored
        expected = float(order_generator.expected_total(raw))
        self.assertAlmostEqual(order.amount_total, expected, places=2)
        self.assertAlmostEqual(order.amazon_total, expected, places=2)
        shipped = {
            item["orderItemId"]: item["fulfillment"]["quantityFulfilled"]
            for item in raw["orderItems"]
        }
        for line in order.order_line.filtered(lambda sol: sol.amazon_charge_type == "item"):
            if order.amazon_fulfilled_by == "amazon":
                self.assertLessEqual(line.amazon_qty_shipped, shipped[line.amazon_item_ref])
                done = line.move_ids.filtered(lambda m: m.state == "done")
                self.assertLessEqual(sum(done.mapped("product_uom_qty")), line.product_uom_qty)
            self.assertGreaterEqual(line.product_uom_qty, 0)
        self.assertEqual(
            Decimal(str(order.amazon_total)).quantize(Decimal("0.01")),
            order_generator.expected_total(raw).quantize(Decimal("0.01")),
        )
