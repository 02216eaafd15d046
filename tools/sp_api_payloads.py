"""Builders of SP-API JSON payloads (orders, inventory summaries, participations) for tests and
the demo, following Amazon's models in shared/spapi-models. Standard library only."""

import datetime
import zlib
from decimal import ROUND_HALF_UP, Decimal

DEFAULT = object()  # "build the usual value"; pass None to leave the dataset out

MARKETPLACE_NAMES = {
    "ATVPDKIKX0DER": "Amazon.com",
    "A2EUQ1WTGCTBG2": "Amazon.ca",
    "A1AM78C64UM0Y8": "Amazon.com.mx",
    "A1PA6795UKMFR9": "Amazon.de",
    "A1F83G8C2ARO7P": "Amazon.co.uk",
    "A13V1IB3VIYZZH": "Amazon.fr",
    "A1VC38T7YXB528": "Amazon.co.jp",
}


def _digits(text, count):
    """Stable pseudo-random digits derived from ``text`` (for ASINs and FNSKUs)."""
    return f"{zlib.crc32(text.encode()) % 10**count:0{count}d}"


def iso(value):
    """A datetime (naive = UTC) or string as ``2025-01-01T00:00:00Z``."""
    if isinstance(value, str):
        return value
    if value.tzinfo is not None:
        value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return value.replace(microsecond=0).isoformat() + "Z"


def decimal_text(value):
    return str(Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def money(amount, currency):
    return {"amount": decimal_text(amount), "currencyCode": currency}


def make_item(
    item_ref,
    sku,
    quantity,
    unit_price,
    currency="USD",
    serial_numbers=(),
    tax=0.0,
    discount=0.0,
    promotion_ids=(),
    asin=None,
    title=None,
    *,
    shipping=0.0,
    shipping_tax=0.0,
    gift_wrap=0.0,
    gift_wrap_tax=0.0,
    other=0.0,
    shipping_discount=0.0,
    tax_model=DEFAULT,
    tax_included=False,
    shipped=None,
    unshipped=0,
):
    """An ``OrderItem``: price in ``product.price.unitPrice``; the item's charges, tax, discounts
    (negative) and total in ``proceeds.breakdowns``; promotions in ``promotion.breakdowns``.

    ``tax`` is the tax on the item, ``shipping_tax`` / ``gift_wrap_tax`` on those charges (TAX
    ``detailedBreakdowns`` by subtype); ``discount`` is a promotion on the item,
    ``shipping_discount`` one on shipping (DISCOUNT by subtype). ``tax_model``: who remits the
    tax, ``"MARKETPLACE_FACILITATOR"`` (the default when there is tax, as in the US) or ``None``
    (the seller). ``tax_included``: the charges include the tax (VAT marketplaces), so
    ``proceedsTotal`` is their sum without the TAX entry. ``shipped``: units Amazon shipped
    (``fulfillment.quantityFulfilled``; the order's status decides when left out) and
    ``unshipped`` still to ship (the rest of the quantity was cancelled).
    """
    subtotal = Decimal(decimal_text(unit_price)) * quantity
    product = {
        "asin": asin or f"B0{_digits(sku or item_ref, 8)}",
        "title": title or f"Product {sku}",
        "condition": {"conditionType": "NEW", "conditionSubtype": "NEW"},
        "price": {"unitPrice": money(unit_price, currency)},
    }
    if sku is not None:
        product["sellerSku"] = sku
    if serial_numbers:
        product["serialNumbers"] = list(serial_numbers)
    breakdowns = [{"type": "ITEM", "subtotal": money(subtotal, currency)}]
    for kind, amount in (("SHIPPING", shipping), ("GIFT_WRAP", gift_wrap), ("OTHER", other)):
        if amount:
            breakdowns.append({"type": kind, "subtotal": money(amount, currency)})
    taxes = [
        (kind, d)
        for kind, d in (("ITEM", tax), ("SHIPPING", shipping_tax), ("GIFT_WRAP", gift_wrap_tax))
        if d
    ]
    total_tax = sum((Decimal(decimal_text(d)) for _k, d in taxes), Decimal(0))
    if taxes:
        entry = {"type": "TAX", "subtotal": money(total_tax, currency)}
        if len(taxes) > 1 or taxes[0][0] != "ITEM":
            entry["detailedBreakdowns"] = [
                {"subtype": kind, "value": money(d, currency)} for kind, d in taxes
            ]
        breakdowns.append(entry)
    discounts = [(k, d) for k, d in (("ITEM", discount), ("SHIPPING", shipping_discount)) if d]
    total_discount = sum((Decimal(decimal_text(abs(d))) for _k, d in discounts), Decimal(0))
    if discounts:
        entry = {"type": "DISCOUNT", "subtotal": money(-total_discount, currency)}
        if len(discounts) > 1 or discounts[0][0] != "ITEM":
            entry["detailedBreakdowns"] = [
                {"subtype": kind, "value": money(-abs(d), currency)} for kind, d in discounts
            ]
        breakdowns.append(entry)
    charges = sum(
        (Decimal(e["subtotal"]["amount"]) for e in breakdowns if e["type"] not in ("TAX",)),
        Decimal(0),
    )
    total = charges if tax_included else charges + total_tax
    item = {
        "orderItemId": item_ref,
        "quantityOrdered": quantity,
        "product": product,
        "proceeds": {"proceedsTotal": money(total, currency), "breakdowns": breakdowns},
    }
    if promotion_ids:
        item["promotion"] = {"breakdowns": [{"promotionId": p} for p in promotion_ids]}
    if tax_model is DEFAULT:
        tax_model = "MARKETPLACE_FACILITATOR" if total_tax else None
    if tax_model:
        item["tax"] = {
            "taxCollections": [{"model": tax_model, "responsibleParty": "Amazon Services, Inc."}]
        }
    if shipped is not None:
        item["fulfillment"] = {
            "quantityFulfilled": shipped,
            "quantityUnfulfilled": unshipped,
        }
    return item


def _default_address(name):
    return {
        "name": name,
        "addressLine1": "410 Terry Ave N",
        "city": "Seattle",
        "stateOrRegion": "WA",
        "postalCode": "98109",
        "countryCode": "US",
        "phone": "+1 206-555-0100",
        "addressType": "RESIDENTIAL",
    }


def _item_fulfillment(status, quantity):
    if status == "SHIPPED":
        return {"quantityFulfilled": quantity, "quantityUnfulfilled": 0}
    if status == "CANCELLED":
        return {"quantityFulfilled": 0, "quantityUnfulfilled": 0}
    return {"quantityFulfilled": 0, "quantityUnfulfilled": quantity}


def make_order(
    order_ref,
    *,
    items,
    fulfilled_by="AMAZON",
    status="SHIPPED",
    marketplace_id="ATVPDKIKX0DER",
    created=None,
    last_updated=None,
    buyer=DEFAULT,
    address=DEFAULT,
    channel="AMAZON",
    delivery_tip=0.0,
):
    """An ``Order`` with the datasets the addon reads. ``created`` defaults to a day ago,
    ``last_updated`` to ``created``; ``buyer`` / ``address`` are dicts in the model's shape
    (``Buyer`` / ``CustomerAddress``), ``None`` to leave them out. ``channel``: ``NON_AMAZON``
    for a Multi-Channel Fulfilment order; ``delivery_tip``: an order-level ``DELIVERY_TIP``.
    ``proceeds.grandTotal`` is the sum of the items' ``proceedsTotal`` and the tip."""
    if created is None:
        created = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=1)
    last_updated = created if last_updated is None else last_updated
    items = [dict(item) for item in items]
    currency = "USD"
    totals = {}
    grand_total = Decimal(0)
    for item in items:
        item.setdefault("fulfillment", _item_fulfillment(status, item["quantityOrdered"]))
        for entry in item.get("proceeds", {}).get("breakdowns", []):
            currency = entry["subtotal"]["currencyCode"]
            amount = Decimal(entry["subtotal"]["amount"])
            totals[entry["type"]] = totals.get(entry["type"], Decimal(0)) + amount
        if "proceedsTotal" in item.get("proceeds", {}):
            grand_total += Decimal(item["proceeds"]["proceedsTotal"]["amount"])
    if delivery_tip:
        totals["DELIVERY_TIP"] = Decimal(decimal_text(delivery_tip))
        grand_total += totals["DELIVERY_TIP"]
    order = {
        "orderId": order_ref,
        "createdTime": iso(created),
        "lastUpdatedTime": iso(last_updated),
        "salesChannel": {
            "channelName": channel,
            "marketplaceId": marketplace_id,
            "marketplaceName": MARKETPLACE_NAMES.get(marketplace_id, "Amazon"),
        },
        "fulfillment": {
            "fulfillmentStatus": status,
            "fulfilledBy": fulfilled_by,
            "fulfillmentServiceLevel": "STANDARD",
        },
        "proceeds": {
            "grandTotal": money(grand_total, currency),
            "breakdowns": [
                {"type": kind, "subtotal": money(amount, currency)}
                for kind, amount in totals.items()
            ],
        },
        "orderItems": items,
    }
    if buyer is DEFAULT:
        buyer = {"buyerName": f"Buyer of {order_ref}"}
        if fulfilled_by == "MERCHANT":  # Amazon shares the (anonymised) email for FBM only
            buyer["buyerEmail"] = f"{order_ref.replace('-', '')}@marketplace.amazon.com"
    if buyer is not None:
        order["buyer"] = buyer
    if address is DEFAULT:
        address = _default_address((buyer or {}).get("buyerName") or "Buyer")
    if address is not None:
        order["recipient"] = {"deliveryAddress": address}
    return order


def make_inventory_summary(
    sku,
    *,
    fulfillable=0,
    inbound_working=0,
    inbound_shipped=0,
    inbound_receiving=0,
    reserved=0,
    unfulfillable=0,
    researching=0,
    asin=None,
    fnsku=None,
    product_name=None,
    last_updated=None,
):
    """An ``InventorySummary`` (fbaInventory.json) with ``inventoryDetails``."""
    inbound = inbound_working + inbound_shipped + inbound_receiving
    on_hand = fulfillable + reserved + unfulfillable + researching
    return {
        "asin": asin or f"B0{_digits(sku, 8)}",
        "fnSku": fnsku or f"X00{_digits(sku, 7)}",
        "sellerSku": sku,
        "condition": "NewItem",
        "inventoryDetails": {
            "fulfillableQuantity": fulfillable,
            "inboundWorkingQuantity": inbound_working,
            "inboundShippedQuantity": inbound_shipped,
            "inboundReceivingQuantity": inbound_receiving,
            "reservedQuantity": {
                "totalReservedQuantity": reserved,
                "pendingCustomerOrderQuantity": reserved,
                "pendingTransshipmentQuantity": 0,
                "fcProcessingQuantity": 0,
            },
            "researchingQuantity": {"totalResearchingQuantity": researching},
            "unfulfillableQuantity": {"totalUnfulfillableQuantity": unfulfillable},
        },
        "lastUpdatedTime": iso(last_updated or datetime.datetime.now(datetime.timezone.utc)),
        "productName": product_name or f"Product {sku}",
        "totalQuantity": inbound + on_hand,
    }


def make_participation(
    marketplace_id="ATVPDKIKX0DER",
    *,
    country_code="US",
    name="Amazon.com",
    currency="USD",
    language="en_US",
    domain="www.amazon.com",
    store_name="Simulated Store",
    participating=True,
):
    """A ``MarketplaceParticipation`` (sellers.json)."""
    return {
        "marketplace": {
            "id": marketplace_id,
            "name": name,
            "countryCode": country_code,
            "defaultCurrencyCode": currency,
            "defaultLanguageCode": language,
            "domainName": domain,
        },
        "participation": {"isParticipating": participating, "hasSuspendedListings": False},
        "storeName": store_name,
    }


def make_shipment_item(sku, item_ref, quantity=1, *, lot_codes=None, serial_number=None):
    """A ``FulfillmentShipmentItem`` (fulfillmentOutbound_2020-07-01): what one shipment of a
    fulfilment order shipped of an item, with the lot codes / serial number Amazon reports."""
    item = {
        "sellerSku": sku,
        "sellerFulfillmentOrderItemId": item_ref,
        "quantity": quantity,
        "packageNumber": 1,
    }
    if serial_number is not None:
        item["serialNumber"] = serial_number
    if lot_codes is not None:
        item["manufacturerLotCodes"] = list(lot_codes)
    return item


def make_fulfillment_order(
    seller_order_ref,
    *,
    shipments=(),
    marketplace_id="ATVPDKIKX0DER",
    received=None,
    status="Complete",
):
    """A ``GetFulfillmentOrderResult`` (getFulfillmentOrder's payload) in the model's shape.

    ``shipments``: ``[(status, [shipment items])]`` (``make_shipment_item``); the order's
    items are what the shipments hold, per SKU and item id."""
    received = received or datetime.datetime.now(datetime.timezone.utc)
    ordered = {}
    fulfillment_shipments = []
    for index, (shipment_status, items) in enumerate(shipments, start=1):
        for item in items:
            key = (item["sellerSku"], item["sellerFulfillmentOrderItemId"])
            ordered[key] = ordered.get(key, 0) + item["quantity"]
        shipment = {
            "amazonShipmentId": f"SIM{_digits(seller_order_ref, 6)}{index}",
            "fulfillmentCenterId": "RNO1",
            "fulfillmentShipmentStatus": shipment_status,
            "fulfillmentShipmentItem": [dict(item) for item in items],
        }
        if shipment_status in ("PENDING", "SHIPPED"):
            shipment["shippingDate"] = iso(received)
        fulfillment_shipments.append(shipment)
    return {
        "fulfillmentOrder": {
            "sellerFulfillmentOrderId": seller_order_ref,
            "marketplaceId": marketplace_id,
            "displayableOrderId": seller_order_ref,
            "displayableOrderDate": iso(received),
            "displayableOrderComment": "Thank you for your order",
            "shippingSpeedCategory": "Standard",
            "destinationAddress": _mcf_address(),
            "receivedDate": iso(received),
            "fulfillmentOrderStatus": status,
            "statusUpdatedDate": iso(received),
        },
        "fulfillmentOrderItems": [
            {
                "sellerSku": sku,
                "sellerFulfillmentOrderItemId": item_ref,
                "quantity": quantity,
                "cancelledQuantity": 0,
                "unfulfillableQuantity": 0,
            }
            for (sku, item_ref), quantity in ordered.items()
        ],
        "fulfillmentShipments": fulfillment_shipments,
        "returnItems": [],
        "returnAuthorizations": [],
    }


def _mcf_address():
    return {
        "name": "MCF Customer",
        "addressLine1": "1 Main Street",
        "city": "Seattle",
        "stateOrRegion": "WA",
        "countryCode": "US",
        "postalCode": "98101",
    }
