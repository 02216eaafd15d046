"""Pure tests of SP-API JSON -> records (no database)."""

import copy
import dataclasses
import datetime
import unittest

from ..spapi import const, mapping
from ..spapi.exceptions import AmazonMappingError
from ..spapi.inventory import InventoryRow, map_inventory_summary
from .spapi_schema import load_fixture, load_model


class TestMapOrder(unittest.TestCase):
    def setUp(self):
        super().setUp()
        self.orders = load_fixture("orders_fba_fbm.json")["orders"]

    def assertMappingError(self, data, field):
        with self.assertRaises(AmazonMappingError) as caught:
            mapping.map_order(data)
        self.assertEqual(caught.exception.field, field)
        self.assertIn(field, str(caught.exception))
        return caught.exception

    def test_model_example(self):
        """The searchOrders example of Amazon's model maps field by field."""
        order = mapping.map_order(load_fixture("orders_model_example.json")["orders"][0])
        self.assertEqual(order.order_ref, "123-4567890-1234567")
        self.assertEqual(order.created, datetime.datetime(2024, 12, 25, 10, 30))
        self.assertIsNone(order.created.tzinfo)
        self.assertEqual(order.last_updated, datetime.datetime(2024, 12, 25, 14, 45))
        self.assertEqual(order.status, const.FulfillmentStatus.SHIPPED)
        self.assertEqual(order.fulfilled_by, "MERCHANT")
        self.assertEqual(order.marketplace_id, "ATVPDKIKX0DER")
        self.assertEqual(order.currency, "USD")
        self.assertEqual(
            (order.buyer_name, order.buyer_email, order.buyer_company),
            ("John Smith", "buyer-email@marketplace.amazon.com", "Smith Industries LLC"),
        )
        self.assertEqual(
            order.address,
            mapping.Address(
                name="John Smith",
                street="123 Main Street",
                street2="Suite 456",
                city="Seattle",
                state="WA",
                zip="98101",
                country_code="US",
                phone="555-123-4567",
                company="Smith Industries LLC",
            ),
        )
        first, second = order.lines
        self.assertEqual(
            dataclasses.replace(
                first,
                quantity_shipped=None,
                quantity_unshipped=None,
                charges=(),
                tax_included=False,
                facilitator=False,
            ),
            mapping.OrderLine(
                item_ref="12345678901234",
                sku="ECHO-DOT-4-CHARCOAL",
                asin="B08N5WRWNW",
                title="Echo Dot (4th Gen) | Smart speaker with Alexa | Charcoal",
                quantity=2,
                unit_price=49.99,
                tax=0.02,
                discount=0.0,
                promotion_ids=("PROMO-HOLIDAY-2024",),
                serial_numbers=(),
            ),
        )
        self.assertEqual((second.sku, second.quantity, second.tax), ("FIRE-TV-4K-2021", 1, 0.0))

    def test_model_sandbox_examples(self):
        """Every order of the model's sandbox responses (JP, GB, BR) maps."""
        model = load_model("orders_2026-01-01.json")
        operation = model["paths"]["/orders/2026-01-01/orders"]["get"]
        cases = operation["responses"]["200"]["x-amzn-api-sandbox"]["static"]
        refs = []
        for case in cases:
            for data in case["response"]["orders"]:
                order = mapping.map_order(data)
                self.assertTrue(order.lines)
                self.assertIn(order.fulfilled_by, const.FULFILLED_BY)
                refs.append(order.order_ref)
        self.assertIn("250-1234567-8901234", refs)
        jp = mapping.map_order(cases[0]["response"]["orders"][0])
        self.assertEqual(jp.currency, "JPY")
        self.assertEqual(jp.lines[0].serial_numbers, ("ED4JP-2024-ABC123456789",))
        self.assertEqual(jp.lines[0].promotion_ids, ("JP-WINTER-SALE-2024",))

    def test_fba_with_serial_numbers(self):
        order = mapping.map_order(self.orders[0])
        self.assertEqual((order.status, order.fulfilled_by), ("SHIPPED", "AMAZON"))
        (line,) = order.lines
        self.assertEqual(line.sku, "LOT-WIDGET")
        self.assertEqual(line.quantity, 3)
        self.assertEqual(line.unit_price, 12.5)
        self.assertEqual(line.tax, 3.28)
        self.assertEqual(line.serial_numbers, ("SN-0001", "SN-0002", "SN-0003"))
        self.assertIsNone(order.buyer_email)  # Amazon shares the email for FBM only

    def test_fbm_with_promotions_discount_and_address(self):
        order = mapping.map_order(self.orders[1])
        self.assertEqual((order.status, order.fulfilled_by), ("UNSHIPPED", "MERCHANT"))
        self.assertEqual(order.currency, "GBP")
        self.assertEqual(order.marketplace_id, "A1F83G8C2ARO7P")
        self.assertEqual(order.buyer_email, "abc123@marketplace.amazon.com")
        self.assertEqual(order.buyer_company, "Analytical Engines Ltd")
        self.assertEqual(order.address.street2, "Floor 2, Door B")
        self.assertEqual(order.address.country_code, "GB")
        mug, pack = order.lines
        self.assertEqual(mug.promotion_ids, ("PROMO-10PCT", "FREE-SHIP"))
        self.assertEqual((mug.unit_price, mug.tax, mug.discount), (8.0, 3.2, 1.6))
        self.assertEqual((pack.sku, pack.quantity, pack.discount), ("TWO-PACK", 1, 0.0))

    def test_cancelled_without_optional_datasets(self):
        order = mapping.map_order(self.orders[2])
        self.assertEqual(order.status, "CANCELLED")
        self.assertIsNone(order.address)
        self.assertIsNone(order.buyer_name)
        self.assertEqual(order.lines[0].quantity, 0)

    def test_minimal_order(self):
        """Only what the addon needs: no BUYER, RECIPIENT, PROCEEDS or PROMOTION dataset."""
        data = {
            "orderId": "1",
            "createdTime": "2026-01-01T00:00:00+01:00",
            "lastUpdatedTime": "2026-01-01T00:00:00.123Z",
            "salesChannel": {"channelName": "AMAZON"},
            "fulfillment": {"fulfillmentStatus": "PENDING", "fulfilledBy": "AMAZON"},
            "orderItems": [
                {"orderItemId": "A", "quantityOrdered": 1, "product": {"sellerSku": "S"}}
            ],
        }
        order = mapping.map_order(data)
        self.assertEqual(order.created, datetime.datetime(2025, 12, 31, 23, 0))
        self.assertEqual(order.last_updated, datetime.datetime(2026, 1, 1, 0, 0, 0, 123000))
        self.assertIsNone(order.currency)
        self.assertIsNone(order.marketplace_id)
        line = order.lines[0]
        self.assertEqual((line.unit_price, line.tax, line.discount), (0.0, 0.0, 0.0))
        self.assertEqual((line.promotion_ids, line.serial_numbers), ((), ()))

    def test_unit_price_falls_back_on_item_proceeds(self):
        data = copy.deepcopy(self.orders[0])
        del data["orderItems"][0]["product"]["price"]
        line = mapping.map_order(data).lines[0]
        self.assertEqual(line.unit_price, 12.5)  # ITEM proceeds 37.50 / 3

    def test_missing_order_id(self):
        data = copy.deepcopy(self.orders[0])
        del data["orderId"]
        self.assertMappingError(data, "orderId")

    def test_missing_items(self):
        data = copy.deepcopy(self.orders[0])
        del data["orderItems"]
        self.assertMappingError(data, "orderItems")

    def test_items_not_a_list(self):
        data = copy.deepcopy(self.orders[0])
        data["orderItems"] = {"orderItemId": "1"}
        error = self.assertMappingError(data, "orderItems")
        self.assertIn("must be a list", str(error))

    def test_bad_quantity_type(self):
        data = copy.deepcopy(self.orders[1])
        data["orderItems"][1]["quantityOrdered"] = "1"
        self.assertMappingError(data, "orderItems[1].quantityOrdered")
        data["orderItems"][1]["quantityOrdered"] = True
        self.assertMappingError(data, "orderItems[1].quantityOrdered")
        data["orderItems"][1]["quantityOrdered"] = -1
        self.assertMappingError(data, "orderItems[1].quantityOrdered")

    def test_missing_item_fields(self):
        data = copy.deepcopy(self.orders[1])
        del data["orderItems"][0]["orderItemId"]
        self.assertMappingError(data, "orderItems[0].orderItemId")
        data = copy.deepcopy(self.orders[1])
        del data["orderItems"][1]["quantityOrdered"]
        self.assertMappingError(data, "orderItems[1].quantityOrdered")
        data = copy.deepcopy(self.orders[1])
        del data["orderItems"][1]["product"]
        self.assertMappingError(data, "orderItems[1].product")

    def test_sku_required_only_when_something_was_sold(self):
        data = copy.deepcopy(self.orders[0])
        del data["orderItems"][0]["product"]["sellerSku"]
        # Without SKU the offer is matched by ASIN; without both, nothing says what was sold.
        self.assertEqual(
            mapping.map_order(data).lines[0].asin, data["orderItems"][0]["product"]["asin"]
        )
        del data["orderItems"][0]["product"]["asin"]
        self.assertMappingError(data, "orderItems[0].product.sellerSku")
        data = copy.deepcopy(self.orders[2])  # cancelled, quantity 0
        del data["orderItems"][0]["product"]["sellerSku"]
        self.assertIsNone(mapping.map_order(data).lines[0].sku)

    def test_status_and_channel_required(self):
        data = copy.deepcopy(self.orders[0])
        del data["fulfillment"]
        self.assertMappingError(data, "fulfillment.fulfillmentStatus")
        data = copy.deepcopy(self.orders[0])
        data["fulfillment"]["fulfillmentStatus"] = "LOST"
        self.assertMappingError(data, "fulfillment.fulfillmentStatus")
        data = copy.deepcopy(self.orders[0])
        del data["fulfillment"]["fulfilledBy"]
        # Optional in the model: unknown (booking refuses and says so), unless a program tells.
        self.assertIsNone(mapping.map_order(data).fulfilled_by)
        data["programs"] = ["AMAZON_EASY_SHIP"]
        self.assertEqual(mapping.map_order(data).fulfilled_by, "MERCHANT")
        data["fulfillment"]["fulfilledBy"] = "ROBOTS"
        self.assertMappingError(data, "fulfillment.fulfilledBy")

    def test_bad_dates_and_amounts(self):
        data = copy.deepcopy(self.orders[0])
        data["createdTime"] = "yesterday"
        self.assertMappingError(data, "createdTime")
        data = copy.deepcopy(self.orders[0])
        data["orderItems"][0]["product"]["price"]["unitPrice"]["amount"] = "12,50"
        self.assertMappingError(data, "orderItems[0].product.price.unitPrice.amount")
        data = copy.deepcopy(self.orders[0])
        data["orderItems"][0]["product"]["serialNumbers"] = ["SN-1", 2]
        self.assertMappingError(data, "orderItems[0].product.serialNumbers[1]")

    def test_duplicate_item_ids(self):
        data = copy.deepcopy(self.orders[1])
        data["orderItems"][1]["orderItemId"] = data["orderItems"][0]["orderItemId"]
        self.assertMappingError(data, "orderItems")

    def test_not_an_object(self):
        self.assertMappingError(["not", "an", "order"], "order")
        data = copy.deepcopy(self.orders[0])
        data["orderItems"][0] = "item"
        self.assertMappingError(data, "orderItems[0]")


class TestMapInventory(unittest.TestCase):
    def test_fixture(self):
        summaries = load_fixture("inventory_summaries.json")["payload"]["inventorySummaries"]
        row = map_inventory_summary(summaries[0])
        self.assertIs(mapping.map_inventory_summary, map_inventory_summary)
        self.assertEqual(
            row,
            InventoryRow(
                sku="LOT-WIDGET",
                asin="B0TESTLOT1",
                fnsku="X00TESTLOT",
                product_name="Lot-tracked widget",
                condition="NewItem",
                fulfillable=40,
                inbound=10,
                reserved=4,
                unfulfillable=1,
                researching=1,
                total=56,
            ),
        )

    def test_without_details(self):
        row = map_inventory_summary({"sellerSku": "S", "totalQuantity": 3})
        self.assertEqual((row.fulfillable, row.inbound, row.reserved, row.total), (0, 0, 0, 3))

    def test_malformed(self):
        with self.assertRaises(AmazonMappingError) as caught:
            map_inventory_summary({"asin": "B0"}, path="inventorySummaries[4]")
        self.assertEqual(caught.exception.field, "inventorySummaries[4].sellerSku")
        with self.assertRaises(AmazonMappingError) as caught:
            map_inventory_summary(
                {"sellerSku": "S", "inventoryDetails": {"fulfillableQuantity": "7"}}
            )
        self.assertEqual(
            caught.exception.field, "inventorySummaries[0].inventoryDetails.fulfillableQuantity"
        )
