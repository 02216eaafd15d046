"""Orders API 2026-01-01 ``Order`` JSON -> small frozen records (pure Python).

Where the amounts come from (see ``OrderItem`` in orders_2026-01-01.json):

- ``unit_price``: ``product.price.unitPrice`` (the price of one unit as sold). If Amazon leaves it
  out, the ``ITEM`` entry of ``proceeds.breakdowns`` divided by the quantity; else 0.
- ``tax``: the ``TAX`` entry of the item's ``proceeds.breakdowns``, the tax of the whole line
  (dataset PROCEEDS). 0 when absent.
- ``discount``: the ``DISCOUNT`` entry of the item's ``proceeds.breakdowns`` as a positive amount
  for the whole line (Amazon books it as a negative proceed). 0 when absent.
- ``promotion_ids``: ``promotion.breakdowns[].promotionId`` (dataset PROMOTION).

Amounts are floats converted from Amazon's exact decimal strings; a derived unit price is rounded
to 6 decimals. Datasets not requested (BUYER, RECIPIENT ...) simply leave fields ``None``; missing
required fields or wrong types raise :class:`AmazonMappingError` naming the field.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from . import _parse, const
from .inventory import InventoryRow, map_inventory_summary  # noqa: F401  (public re-export)


@dataclass(frozen=True)
class Address:
    name: str | None
    street: str | None
    street2: str | None
    city: str | None
    state: str | None
    zip: str | None
    country_code: str | None
    phone: str | None
    company: str | None = None


@dataclass(frozen=True)
class OrderLine:
    item_ref: str
    sku: str | None
    asin: str | None
    title: str | None
    quantity: int
    unit_price: float
    tax: float
    discount: float
    promotion_ids: tuple[str, ...]
    serial_numbers: tuple[str, ...]


@dataclass(frozen=True)
class Order:
    order_ref: str
    created: datetime.datetime  # naive UTC
    last_updated: datetime.datetime  # naive UTC
    status: str  # a const.FulfillmentStatus value
    fulfilled_by: str  # "AMAZON" (FBA) or "MERCHANT" (FBM)
    marketplace_id: str | None
    currency: str | None
    buyer_name: str | None
    buyer_email: str | None
    buyer_company: str | None
    address: Address | None
    lines: tuple[OrderLine, ...]


def _breakdown_totals(proceeds, path):
    """Sum of ``proceeds.breakdowns`` per type, and the first currency seen."""
    totals, currency = {}, None
    where = _parse.join(path, "breakdowns")
    for index, entry in enumerate(_parse.items(proceeds, "breakdowns", path)):
        entry_path = _parse.join(where, index)
        if not isinstance(entry, dict):
            _parse.fail(entry_path, "must be an object")
        kind = _parse.text(entry, "type", entry_path, required=True)
        amount, cur = _parse.money(entry, "subtotal", entry_path)
        if amount is None:
            _parse.fail(_parse.join(entry_path, "subtotal"), "is missing")
        totals[kind] = totals.get(kind, Decimal(0)) + amount
        currency = currency or cur
    return totals, currency


def _strings(data, key, path):
    values = _parse.items(data, key, path)
    for index, value in enumerate(values):
        if not isinstance(value, str):
            _parse.fail(_parse.join(_parse.join(path, key), index), "must be a string")
    return tuple(values)


def _map_line(item, path):
    if not isinstance(item, dict):
        _parse.fail(path, "must be an object")
    item_ref = _parse.text(item, "orderItemId", path, required=True)
    quantity = _parse.get(item, "quantityOrdered", path, int, required=True)
    if quantity < 0:
        _parse.fail(_parse.join(path, "quantityOrdered"), f"must not be negative ({quantity})")
    product = _parse.obj(item, "product", path, required=True)
    product_path = _parse.join(path, "product")
    sku = _parse.text(product, "sellerSku", product_path, required=quantity > 0)
    price_path = _parse.join(product_path, "price")
    unit_price, currency = _parse.money(
        _parse.obj(product, "price", product_path), "unitPrice", price_path
    )
    proceeds_path = _parse.join(path, "proceeds")
    totals, proceeds_currency = _breakdown_totals(_parse.obj(item, "proceeds", path), proceeds_path)
    if unit_price is None:
        unit_price = totals["ITEM"] / quantity if quantity and "ITEM" in totals else Decimal(0)
    promotion_path = _parse.join(path, "promotion")
    promotion_ids = []
    breakdowns_path = _parse.join(promotion_path, "breakdowns")
    promotions = _parse.obj(item, "promotion", path)
    for index, entry in enumerate(_parse.items(promotions, "breakdowns", promotion_path)):
        if not isinstance(entry, dict):
            _parse.fail(_parse.join(breakdowns_path, index), "must be an object")
        promotion_id = _parse.text(entry, "promotionId", _parse.join(breakdowns_path, index))
        if promotion_id:
            promotion_ids.append(promotion_id)
    line = OrderLine(
        item_ref=item_ref,
        sku=sku,
        asin=_parse.text(product, "asin", product_path),
        title=_parse.text(product, "title", product_path),
        quantity=quantity,
        unit_price=round(float(unit_price), 6),
        tax=float(totals.get("TAX", 0)),
        discount=abs(float(totals.get("DISCOUNT", 0))),
        promotion_ids=tuple(promotion_ids),
        serial_numbers=_strings(product, "serialNumbers", product_path),
    )
    return line, currency or proceeds_currency


def _map_address(recipient):
    data = _parse.obj(recipient, "deliveryAddress", "recipient")
    if not data:
        return None
    path = "recipient.deliveryAddress"
    line2 = [_parse.text(data, key, path) for key in ("addressLine2", "addressLine3")]
    return Address(
        name=_parse.text(data, "name", path),
        street=_parse.text(data, "addressLine1", path),
        street2=", ".join(part for part in line2 if part) or None,
        city=_parse.text(data, "city", path),
        state=_parse.text(data, "stateOrRegion", path),
        zip=_parse.text(data, "postalCode", path),
        country_code=_parse.text(data, "countryCode", path),
        phone=_parse.text(data, "phone", path),
        company=_parse.text(data, "companyName", path),
    )


def map_order(data):
    """Map one ``Order`` of searchOrders/getOrder; raises AmazonMappingError naming the field."""
    if not isinstance(data, dict):
        _parse.fail("order", "must be an object")
    order_ref = _parse.text(data, "orderId", "", required=True)
    fulfillment = _parse.obj(data, "fulfillment", "", required=True)
    status = _parse.text(fulfillment, "fulfillmentStatus", "fulfillment", required=True)
    if status not in const.FULFILLMENT_STATUSES:
        _parse.fail("fulfillment.fulfillmentStatus", f"has an unknown value {status!r}")
    fulfilled_by = _parse.text(fulfillment, "fulfilledBy", "fulfillment", required=True)
    if fulfilled_by not in const.FULFILLED_BY:
        _parse.fail("fulfillment.fulfilledBy", f"has an unknown value {fulfilled_by!r}")
    raw_items = _parse.items(data, "orderItems", "", required=True)
    lines, currency = [], None
    for index, item in enumerate(raw_items):
        line, line_currency = _map_line(item, _parse.join("orderItems", index))
        lines.append(line)
        currency = currency or line_currency
    refs = [line.item_ref for line in lines]
    if len(set(refs)) != len(refs):
        _parse.fail("orderItems", "repeats an orderItemId")
    _grand_total, order_currency = _parse.money(
        _parse.obj(data, "proceeds", ""), "grandTotal", "proceeds"
    )
    buyer = _parse.obj(data, "buyer", "")
    return Order(
        order_ref=order_ref,
        created=_parse.datetime_utc(data, "createdTime", "", required=True),
        last_updated=_parse.datetime_utc(data, "lastUpdatedTime", "", required=True),
        status=status,
        fulfilled_by=fulfilled_by,
        marketplace_id=_parse.text(
            _parse.obj(data, "salesChannel", ""), "marketplaceId", "salesChannel"
        ),
        currency=order_currency or currency,
        buyer_name=_parse.text(buyer, "buyerName", "buyer"),
        buyer_email=_parse.text(buyer, "buyerEmail", "buyer"),
        buyer_company=_parse.text(buyer, "buyerCompanyName", "buyer"),
        address=_map_address(_parse.obj(data, "recipient", "")),
        lines=tuple(lines),
    )
