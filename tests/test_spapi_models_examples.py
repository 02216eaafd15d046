"""Every example order of Amazon's published Orders API model maps, books, and matches.

The examples and sandbox responses of ``orders_2026-01-01.json`` (searchOrders and getOrder):
US, JP (FBA), UK, BR, TR. Their totals: ``proceeds.grandTotal`` less the tax Amazon remits as
marketplace facilitator. (ordersV0.json is the older API this addon does not call.)
"""

import copy
import unittest
from decimal import Decimal

from odoo import Command
from odoo.tests import tagged

from ..spapi import mapping
from .common_sync import AmazonSyncCase
from .spapi_schema import load_model


def model_example_orders():
    """``[order]`` of every 200 example and sandbox response of the Orders API model."""
    paths = load_model("orders_2026-01-01.json")["paths"]
    responses = [
        paths["/orders/2026-01-01/orders"]["get"]["responses"]["200"],
        paths["/orders/2026-01-01/orders/{orderId}"]["get"]["responses"]["200"],
    ]
    orders = []
    for response in responses:
        bodies = list(response.get("examples", {}).values())
        bodies += [case["response"] for case in response["x-amzn-api-sandbox"]["static"]]
        for body in bodies:
            orders += body.get("orders") or [body["order"]]
    return orders


def expected_total(raw):
    total = Decimal(raw["proceeds"]["grandTotal"]["amount"])
    for item in raw["orderItems"]:
        models = [c.get("model") for c in (item.get("tax") or {}).get("taxCollections", [])]
        if "MARKETPLACE_FACILITATOR" in models:
            total -= sum(
                Decimal(b["subtotal"]["amount"])
                for b in item["proceeds"]["breakdowns"]
                if b["type"] == "TAX"
            )
    return total


class TestModelExamplesMap(unittest.TestCase):
    def test_every_example_maps_with_amazons_total(self):
        orders = model_example_orders()
        self.assertEqual(len(orders), 8)
        for raw in orders:
            order = mapping.map_order(raw)
            self.assertEqual(order.seller_total, expected_total(raw), raw["orderId"])

    def test_getorder_example_shipping_and_tax_by_subtype(self):
        raw = next(o for o in model_example_orders() if o["orderId"] == "202-1234567-8901234")
        (line,) = mapping.map_order(raw).lines
        self.assertEqual(line.charge("ITEM").amount, Decimal("89.97"))
        self.assertEqual(line.charge("ITEM").tax, Decimal("3.00"))
        self.assertEqual(line.charge("SHIPPING").amount, Decimal("10.00"))
        self.assertEqual(line.charge("SHIPPING").tax, Decimal("1.00"))
        self.assertEqual(line.seller_total, Decimal("103.97"))

    def test_delivery_tip_and_facilitator(self):
        orders = {o["orderId"]: mapping.map_order(o) for o in model_example_orders()}
        tip = orders["123-4567890-1234567"]
        self.assertEqual([c.kind for c in tip.extra_charges], ["DELIVERY_TIP"])
        self.assertEqual(tip.seller_total, Decimal("154.99"))
        self.assertTrue(orders["028-1234567-8901234"].lines[0].facilitator)


@tagged("post_install", "-at_install")
class TestModelExamplesBook(AmazonSyncCase):
    def test_every_example_books_amazons_total(self):
        orders = model_example_orders()
        marketplaces = self.env["amazon.marketplace"].search(
            [("api_ref", "in", [o["salesChannel"]["marketplaceId"] for o in orders])]
        )
        self.account.marketplace_ids = [Command.set(marketplaces.ids)]
        Product = self.env["product.product"]
        skus = {item["product"]["sellerSku"] for o in orders for item in o["orderItems"]}
        for sku in skus:
            Product.create({"name": sku, "default_code": sku, "is_storable": True})
        moment = self._ago(30).strftime("%Y-%m-%dT%H:%M:%SZ")
        served = []
        for raw in orders:
            raw = copy.deepcopy(raw)
            raw["lastUpdatedTime"] = moment
            served.append(raw)
        self.sim.set_orders(served)
        run = self._sync()
        self.assertFalse(run.failures, run.failures)
        for raw in served:
            order = self._sale(raw["orderId"])
            self.assertTrue(order, raw["orderId"])
            expected = float(expected_total(raw))
            self.assertAlmostEqual(order.amount_total, expected, places=2, msg=raw["orderId"])
            self.assertAlmostEqual(order.amazon_total, expected, places=2, msg=raw["orderId"])
            self.assertEqual(order.currency_id.name, raw["proceeds"]["grandTotal"]["currencyCode"])
        jp = self._sale("250-1234567-8901234")
        self.assertEqual(jp.amazon_fulfilled_by, "amazon")
        self.assertEqual(jp.amount_total, 19940)
        uk = self._sale("202-1234567-8901234")
        shipping = uk.order_line.filtered(lambda line: line.amazon_charge_type == "shipping")
        self.assertEqual(shipping.price_total, 11.0)
        tr = self._sale("028-1234567-8901234")
        self.assertFalse(
            tr.order_line.filtered(lambda line: line.amazon_charge_type == "item").tax_id
        )
