"""Fulfillment Outbound API (Multi-Channel Fulfilment) ``getFulfillmentOrder`` -> lot records.

Pure Python. Amazon reports, per shipped item of a fulfilment order's shipments
(``fulfillmentShipments[].fulfillmentShipmentItem[]``, model fulfillmentOutbound_2020-07-01, the
version python-amazon-sp-api calls), the ``manufacturerLotCodes`` and the ``serialNumber`` of
what it shipped. The 2026-07-04 model (``order.shipments[].items[]``) carries them in
``unitIdentifiers``, a map of identifier type to values: its lot and serial types are read
(:data:`LOT_IDENTIFIER_TYPES`, :data:`SERIAL_IDENTIFIER_TYPES`), the product identifiers it
also lists there (SKU, ASIN, UPC...) are not lots and are ignored.

Quantities: an item line gives one quantity for all its lot codes (Amazon gives no quantity per
lot code). Its units are split over the codes evenly, whole units, the first codes taking the
remainder (3 units, 2 codes: 2 + 1). A serial number is one unit. Lot-tracked products read the
lot codes, serial-tracked ones the serial numbers (Amazon's serial number is no lot code).
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from . import _parse

SHIPPED = "SHIPPED"
# 2020-07-01 FulfillmentShipment.fulfillmentShipmentStatus; 2026-07-04 ShipmentStatus.
SHIPMENT_STATUSES = (
    "PENDING",
    "PROCESSING",
    SHIPPED,
    "CANCELLED_BY_FULFILLER",
    "CANCELLED_BY_SELLER",
    "CANCELLED",
)
LOT_IDENTIFIER_TYPES = ("MANUFACTURER_LOT_CODE", "MANUFACTURER_LOT_CODES", "LOT_CODE", "LOT")
SERIAL_IDENTIFIER_TYPES = ("SERIAL_NUMBER", "SERIAL_NUMBERS", "SERIAL")


@dataclass(frozen=True)
class ShippedItem:
    """One shipped item line of a shipment, with what Amazon reports of its units."""

    sku: str
    item_ref: str  # sellerFulfillmentOrderItemId (2026: lineItemId)
    quantity: float
    lot_codes: tuple[str, ...] = ()
    serial_numbers: tuple[str, ...] = ()

    @property
    def reported(self):
        return bool(self.lot_codes or self.serial_numbers)

    def lot_quantities(self, tracking="lot"):
        """``[(name, quantity)]`` of the units Amazon named, for a product tracked by
        ``tracking``: ``"lot"``, its lot codes split evenly over the line's quantity;
        ``"serial"``, one unit per serial number. A serial number is no lot code (nor the
        reverse): empty when Amazon named none of the kind the product is tracked by."""
        if tracking == "serial":
            return [(serial, 1.0) for serial in self.serial_numbers[: int(self.quantity)]]
        return split_evenly(self.lot_codes, self.quantity)


@dataclass(frozen=True)
class Shipment:
    shipment_ref: str  # amazonShipmentId
    status: str
    items: tuple[ShippedItem, ...]

    @property
    def shipped(self):
        return self.status == SHIPPED


@dataclass(frozen=True)
class FulfillmentOrder:
    order_ref: str  # sellerFulfillmentOrderId (2026: orderId)
    status: str | None
    shipments: tuple[Shipment, ...]

    @property
    def shipped_items(self):
        """The items of the shipments Amazon says left its fulfilment centre."""
        return [item for shipment in self.shipments if shipment.shipped for item in shipment.items]


def split_evenly(codes, quantity):
    """``[(code, units)]``: ``quantity`` whole units over ``codes``, the first taking the rest;
    a fractional quantity is split in equal parts."""
    codes = list(dict.fromkeys(codes))  # Amazon may repeat a code: one share each
    if not codes:
        return []
    count = len(codes)
    if float(quantity).is_integer():
        whole = int(quantity)
        base, rest = divmod(whole, count)
        shares = [base + (1 if index < rest else 0) for index in range(count)]
        return [(code, float(share)) for code, share in zip(codes, shares, strict=True) if share]
    return [(code, quantity / count) for code in codes]


def _strings(data, key, path):
    values = _parse.items(data, key, path)
    result = []
    for index, value in enumerate(values):
        if not isinstance(value, str):
            _parse.fail(_parse.join(_parse.join(path, key), index), "must be a string")
        if value.strip():
            result.append(value.strip())
    return tuple(result)


def _quantity(data, key, path):
    value = _parse.get(data, key, path, int, required=True)
    if value < 0:
        _parse.fail(_parse.join(path, key), f"must not be negative, not {value}")
    return float(value)


def _status(data, key, path):
    status = _parse.text(data, key, path, required=True)
    if status.upper() not in SHIPMENT_STATUSES:
        _parse.fail(_parse.join(path, key), f"has an unknown value {status!r}")
    return status.upper()


def _map_item_2020(data, path):
    if not isinstance(data, dict):
        _parse.fail(path, "must be an object")
    serial = _parse.text(data, "serialNumber", path)
    return ShippedItem(
        sku=_parse.text(data, "sellerSku", path, required=True),
        item_ref=_parse.text(data, "sellerFulfillmentOrderItemId", path, required=True),
        quantity=_quantity(data, "quantity", path),
        lot_codes=_strings(data, "manufacturerLotCodes", path),
        serial_numbers=(serial.strip(),) if serial and serial.strip() else (),
    )


def _amount_2026(data, path):
    amount = _parse.obj(data, "amount", path, required=True)
    value = _parse.get(amount, "value", _parse.join(path, "amount"), (str, int, float), True)
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or number < 0:
        _parse.fail(_parse.join(path, "amount.value"), f"must be a quantity, not {value!r}")
    return float(number)


def _map_item_2026(data, path):
    if not isinstance(data, dict):
        _parse.fail(path, "must be an object")
    product = _parse.obj(data, "productIdentifier", path, required=True)
    identifiers = _parse.obj(data, "unitIdentifiers", path)
    where = _parse.join(path, "unitIdentifiers")
    lots, serials = [], []
    for kind in identifiers:
        if kind.upper() in LOT_IDENTIFIER_TYPES:
            lots += _strings(identifiers, kind, where)
        elif kind.upper() in SERIAL_IDENTIFIER_TYPES:
            serials += _strings(identifiers, kind, where)
    return ShippedItem(
        sku=_parse.text(product, "amazonSku", _parse.join(path, "productIdentifier"), True),
        item_ref=_parse.text(data, "lineItemId", path, required=True),
        quantity=_amount_2026(data, path),
        lot_codes=tuple(lots),
        serial_numbers=tuple(serials),
    )


def _map_shipments(raw_shipments, path, items_key, status_key, map_item):
    shipments = []
    for index, data in enumerate(raw_shipments):
        where = _parse.join(path, index)
        if not isinstance(data, dict):
            _parse.fail(where, "must be an object")
        raw_items = _parse.items(data, items_key, where, required=True)
        shipments.append(
            Shipment(
                shipment_ref=_parse.text(data, "amazonShipmentId", where, required=True),
                status=_status(data, status_key, where),
                items=tuple(
                    map_item(item, _parse.join(_parse.join(where, items_key), number))
                    for number, item in enumerate(raw_items)
                ),
            )
        )
    return tuple(shipments)


def map_fulfillment_order(payload):
    """Map getFulfillmentOrder's payload (2020-07-01 ``GetFulfillmentOrderResult``, or the
    2026-07-04 ``GetOrderResponse``); raises AmazonMappingError naming the field."""
    if not isinstance(payload, dict):
        _parse.fail("payload", "must be an object")
    if "order" in payload and "fulfillmentOrder" not in payload:
        order = _parse.obj(payload, "order", "", required=True)
        return FulfillmentOrder(
            order_ref=_parse.text(order, "orderId", "order", required=True),
            status=_parse.text(order, "status", "order"),
            shipments=_map_shipments(
                _parse.items(order, "shipments", "order"),
                "order.shipments",
                "items",
                "status",
                _map_item_2026,
            ),
        )
    header = _parse.obj(payload, "fulfillmentOrder", "", required=True)
    return FulfillmentOrder(
        order_ref=_parse.text(
            header, "sellerFulfillmentOrderId", "fulfillmentOrder", required=True
        ),
        status=_parse.text(header, "fulfillmentOrderStatus", "fulfillmentOrder"),
        shipments=_map_shipments(
            _parse.items(payload, "fulfillmentShipments", ""),
            "fulfillmentShipments",
            "fulfillmentShipmentItem",
            "fulfillmentShipmentStatus",
            _map_item_2020,
        ),
    )
