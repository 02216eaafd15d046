"""Orders generated from Amazon's own JSON schema (Orders API 2026-01-01), for property tests.

``raw_order_strategy()``: any ``Order`` the model allows (every object closed to properties the
model does not name, strings kept short): mapping must map it or refuse it with
``AmazonMappingError``, nothing else.

``bookable_order_strategy(skus)``: the same model narrowed to what a seller of these SKUs gets
(one currency, amounts as Amazon writes them, the datasets the sync asks for); ``repair()`` then
makes Amazon's own totals add up as Amazon's do (``proceedsTotal``, ``grandTotal``, shipped
quantities), and ``expected_total()`` is the oracle: ``grandTotal`` less the tax of the items
whose tax Amazon remits as marketplace facilitator. Needs ``hypothesis`` and
``hypothesis-jsonschema``.
"""

import copy
import json
import os
import zlib
from decimal import Decimal

from hypothesis_jsonschema import from_schema

MODEL = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    "tests",
    "fixtures",
    "spapi-models",
    "orders_2026-01-01.json",
)
AMOUNTS = ["0.00", "0.01", "1.00", "2.50", "3.33", "9.99", "10.00", "12.90", "-1.00", "-4.99"]


def load_definitions():
    with open(MODEL, encoding="utf-8") as handle:
        return json.load(handle)["definitions"]


def _close(definitions, max_string=12):
    """Objects accept only the properties the model names; strings are short."""
    for schema in definitions.values():
        _close_schema(schema, max_string)
    return definitions


def _close_schema(schema, max_string):
    if not isinstance(schema, dict):
        return
    if schema.get("type") == "object" or "properties" in schema:
        schema.setdefault("additionalProperties", False)
    if schema.get("type") == "string" and "enum" not in schema and "format" not in schema:
        schema.setdefault("maxLength", max_string)
    for key in ("properties",):
        for sub in schema.get(key, {}).values():
            _close_schema(sub, max_string)
    if isinstance(schema.get("items"), dict):
        _close_schema(schema["items"], max_string)
        schema.setdefault("maxItems", 3)


def _schema(definitions, name="Order"):
    for schema in definitions.values():
        schema.pop("example", None)
    return {"$ref": f"#/definitions/{name}", "definitions": definitions}


def raw_order_strategy():
    """Any ``Order`` of Amazon's model (closed objects, short strings)."""
    definitions = _close(load_definitions())
    definitions["Order"]["properties"].pop("orderAliases", None)
    definitions["Order"]["properties"].pop("associatedOrders", None)
    definitions["Order"]["properties"].pop("payment", None)
    definitions["Order"]["properties"].pop("tax", None)
    definitions["OrderItem"]["properties"].pop("associatedOrderItems", None)
    definitions["OrderItem"]["properties"].pop("measurement", None)
    definitions["OrderItem"]["properties"].pop("expense", None)
    definitions["ItemFulfillment"]["properties"] = {
        key: value
        for key, value in definitions["ItemFulfillment"]["properties"].items()
        if key.startswith("quantity")
    }
    definitions["Recipient"]["properties"].pop("deliveryPreference", None)
    definitions["ItemProduct"]["properties"].pop("customization", None)
    definitions["OrderFulfillment"]["properties"] = {
        key: definitions["OrderFulfillment"]["properties"][key]
        for key in ("fulfillmentStatus", "fulfilledBy")
    }
    definitions["Decimal"] = {"type": "string", "enum": [*AMOUNTS, "1e3", "x", "NaN", ""]}
    definitions["Money"]["properties"]["currencyCode"] = {"enum": ["USD", "EUR"]}
    return from_schema(_schema(definitions))


def bookable_order_strategy(skus, marketplace_id="ATVPDKIKX0DER"):
    """``Order`` of Amazon's model narrowed to what the sync books (see the module doc)."""
    d = _close(load_definitions())
    order = d["Order"]
    order["required"] = [*order["required"], "fulfillment", "proceeds"]
    order["properties"] = {
        key: order["properties"][key]
        for key in (
            "orderId",
            "createdTime",
            "lastUpdatedTime",
            "programs",
            "salesChannel",
            "proceeds",
            "fulfillment",
            "orderItems",
        )
    }
    order["properties"]["programs"] = {
        "type": "array",
        "maxItems": 2,
        "items": {"enum": ["PRIME", "AMAZON_BUSINESS", "AMAZON_EASY_SHIP"]},
    }
    order["properties"]["orderItems"].update(minItems=1, maxItems=3)
    d["SalesChannel"]["required"] = ["channelName", "marketplaceId"]
    d["SalesChannel"]["properties"] = {
        "channelName": {"enum": ["AMAZON", "AMAZON", "AMAZON", "NON_AMAZON"]},
        "marketplaceId": {"enum": [marketplace_id]},
    }
    d["OrderFulfillment"]["required"] = ["fulfillmentStatus"]
    d["OrderFulfillment"]["properties"] = {
        "fulfillmentStatus": {
            "enum": ["SHIPPED", "SHIPPED", "PARTIALLY_SHIPPED", "UNSHIPPED", "CANCELLED"]
        },
        "fulfilledBy": {"enum": ["AMAZON", "AMAZON", "MERCHANT"]},
    }
    d["OrderProceedsBreakdown"]["properties"]["type"] = {"enum": ["DELIVERY_TIP", "ITEM"]}
    d["OrderProceedsBreakdown"]["properties"]["status"] = {"enum": ["FINALIZED"]}
    d["Decimal"] = {"type": "string", "enum": AMOUNTS}
    d["Money"]["properties"]["currencyCode"] = {"enum": ["USD"]}
    item = d["OrderItem"]
    item["required"] = [*item["required"], "proceeds", "fulfillment"]
    item["properties"] = {
        key: item["properties"][key]
        for key in (
            "orderItemId",
            "quantityOrdered",
            "product",
            "proceeds",
            "promotion",
            "fulfillment",
            "tax",
        )
    }
    item["properties"]["quantityOrdered"] = {"type": "integer", "minimum": 0, "maximum": 4}
    product = d["ItemProduct"]
    product["required"] = ["sellerSku"]
    product["properties"] = {
        key: product["properties"][key] for key in ("asin", "sellerSku", "price", "serialNumbers")
    }
    d["SKU"] = {"enum": list(skus)}
    d["ItemPrice"]["properties"].pop("priceDesignation", None)
    d["ItemProceedsBreakdown"]["properties"]["type"] = {
        "enum": ["ITEM", "ITEM", "SHIPPING", "GIFT_WRAP", "COD_FEE", "OTHER", "TAX", "DISCOUNT"]
    }
    d["ItemProceedsDetailedBreakdown"]["properties"]["subtype"] = {
        "enum": ["ITEM", "SHIPPING", "GIFT_WRAP", "OTHER", "DISCOUNT"]
    }
    d["ItemProceeds"]["properties"]["breakdowns"].update(minItems=1, maxItems=4)
    d["ItemFulfillment"]["properties"] = {
        "quantityFulfilled": {"type": "integer", "minimum": 0, "maximum": 4},
        "quantityUnfulfilled": {"type": "integer", "minimum": 0, "maximum": 4},
    }
    d["ItemTax"]["properties"] = {"taxCollections": d["ItemTax"]["properties"]["taxCollections"]}
    d["ItemTaxCollection"]["properties"]["model"] = {"enum": ["MARKETPLACE_FACILITATOR", "SELLER"]}
    return from_schema(_schema(d))


def _amount(money):
    return Decimal(money["amount"])


def _money(amount):
    return {"amount": str(amount), "currencyCode": "USD"}


def repair(order, order_ref, moment):
    """Make a generated order's own totals add up as Amazon's do (in place); returns it.

    Quantities shipped and unshipped fit the quantity ordered; each item's ``proceedsTotal`` is
    the sum of its breakdowns (tax included in the charges for one item in two, as on a VAT
    marketplace); ``grandTotal`` is the sum of the items' and the order-level charges.
    """
    order = _without_nul(copy.deepcopy(order))  # Amazon's text never holds NUL characters
    order["orderId"] = order_ref
    order["createdTime"] = order["lastUpdatedTime"] = moment
    seen = set()
    grand_total = Decimal(0)
    for index, item in enumerate(order["orderItems"]):
        if not item["orderItemId"].strip():
            item["orderItemId"] = f"item-{index}"
        while item["orderItemId"] in seen:
            item["orderItemId"] += str(index)
        seen.add(item["orderItemId"])
        quantity = item["quantityOrdered"]
        fulfillment = item.setdefault("fulfillment", {})
        shipped = min(fulfillment.get("quantityFulfilled", quantity), quantity)
        fulfillment["quantityFulfilled"] = shipped
        fulfillment["quantityUnfulfilled"] = min(
            fulfillment.get("quantityUnfulfilled", 0), quantity - shipped
        )
        proceeds = item.setdefault("proceeds", {})
        breakdowns = proceeds.setdefault("breakdowns", [])
        total = sum((_amount(b["subtotal"]) for b in breakdowns), Decimal(0))
        tax = sum((_amount(b["subtotal"]) for b in breakdowns if b["type"] == "TAX"), Decimal(0))
        if tax and zlib.crc32(item["orderItemId"].encode()) % 2:
            total -= tax  # the charges include the tax (VAT marketplace)
        proceeds["proceedsTotal"] = _money(total)
        grand_total += total
    proceeds = order.setdefault("proceeds", {})
    for entry in proceeds.get("breakdowns", []):
        if entry["type"] == "DELIVERY_TIP":
            grand_total += _amount(entry["subtotal"])
    proceeds["grandTotal"] = _money(grand_total)
    return order


def _without_nul(value):
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_without_nul(item) for item in value]
    if isinstance(value, dict):
        return {key: _without_nul(item) for key, item in value.items()}
    return value


def expected_total(order):
    """The contract: ``grandTotal`` less the tax Amazon remits as marketplace facilitator."""
    total = _amount(order["proceeds"]["grandTotal"])
    for item in order["orderItems"]:
        models = [c.get("model") for c in (item.get("tax") or {}).get("taxCollections", [])]
        if "MARKETPLACE_FACILITATOR" in models:
            total -= sum(
                (
                    _amount(b["subtotal"])
                    for b in item["proceeds"]["breakdowns"]
                    if b["type"] == "TAX"
                ),
                Decimal(0),
            )
    return total
