"""Orders API v0 ``confirmShipment`` (FBM shipment confirmation), pure Python, no Odoo import.

Builds and checks the request body the way Amazon's model describes it (``ConfirmShipmentRequest``
in shared/spapi-models/ordersV0.json): one package per call, with its ``packageReferenceId`` (a
positive number, as a string, unique within the order), carrier code (or ``Other`` with the
carrier's name), shipping method, tracking number, ISO 8601 ship date and the order items with
their whole quantities. It also maps a carrier to Amazon's carrier codes, reads Amazon's
refusals (which mean "already confirmed", which tell what to fix) and gives the retry delay.

The call itself goes through :meth:`.adapter.SpApiAdapter.confirm_shipment` (the shared
transport: rate limit, timeout, error translation).
"""

import datetime
import re
from dataclasses import dataclass

from .exceptions import AmazonError
from .ratelimit import capped_backoff

CARRIER_OTHER = "Other"
# Amazon's carrier codes most sellers meet (Amazon's list is longer; any code typed on the
# carrier is sent as is). Longest names first when guessing, so "DHL eCommerce" wins over "DHL".
CARRIER_CODES = (
    "Amazon Shipping",
    "Australia Post",
    "Blue Dart",
    "BRT",
    "Canada Post",
    "Chronopost",
    "Colissimo",
    "Correos",
    "Delhivery",
    "Deutsche Post",
    "DHL",
    "DHL eCommerce",
    "DHL Express",
    "DPD",
    "FedEx",
    "GLS",
    "Hermes",
    "India Post",
    "Japan Post",
    "La Poste",
    "Lasership",
    "MRW",
    "Nacex",
    "OnTrac",
    "Parcelforce",
    "PostNL",
    "Poste Italiane",
    "Royal Mail",
    "Sagawa Express",
    "SDA",
    "SEUR",
    "TNT",
    "UPS",
    "UPS Mail Innovations",
    "USPS",
    "Yamato Transport",
    "Yodel",
)
# Odoo's shipping connectors (``delivery.carrier.delivery_type``) -> Amazon's carrier code.
PROVIDER_CODES = {
    "ups": "UPS",
    "ups_rest": "UPS",
    "usps": "USPS",
    "usps_rest": "USPS",
    "fedex": "FedEx",
    "fedex_rest": "FedEx",
    "dhl": "DHL Express",
    "dhl_rest": "DHL Express",
}

# Retries after a transient failure (Amazon unreachable, 5xx, throttled, credentials refused):
# 5 min, 10, 20, ... capped at 6 h, for as long as it takes; nothing is ever dropped.
RETRY_BASE = datetime.timedelta(minutes=5)
RETRY_CAP = datetime.timedelta(hours=6)

_ALREADY_SHIPPED = (
    re.compile(r"PackageToUpdateNotFound", re.IGNORECASE),
    re.compile(r"already\s+(been\s+)?(shipped|fulfilled|confirmed)", re.IGNORECASE),
)


class ConfirmShipmentInvalid(AmazonError):
    """The package cannot be confirmed as it is; ``field`` names what to fix."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class PackageItem:
    order_item_id: str
    quantity: float  # units shipped in this package; must be a whole number


def _normalise(text):
    return re.sub(r"[^a-z0-9]", "", (text or "").lower())


def carrier_for(code=None, name=None, provider=None):
    """``(carrierCode, carrierName)`` for a carrier.

    ``code``: the Amazon carrier code set on the carrier, sent as is. Otherwise the code of the
    carrier's shipping connector (``provider``), or a known code its name starts with ("FedEx
    Ground" -> FedEx). Otherwise ``Other``, with the carrier's name as ``carrierName`` (Amazon
    requires one then).
    """
    name = (name or "").strip() or None
    code = (code or "").strip()
    if code:
        return code, (name if code == CARRIER_OTHER else None)
    guessed = PROVIDER_CODES.get(provider or "")
    if not guessed and name:
        key = _normalise(name)
        for candidate in sorted(CARRIER_CODES, key=len, reverse=True):
            if key.startswith(_normalise(candidate)):
                guessed = candidate
                break
    if guessed:
        return guessed, None
    return CARRIER_OTHER, name


def ship_date(value):
    """Amazon's ISO 8601 ship date from a datetime (naive = UTC)."""
    if value.tzinfo is not None:
        value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return value.replace(microsecond=0).isoformat() + "Z"


def merge_items(items):
    """The package's items, one entry per order item id (quantities summed), in first-seen order."""
    merged = {}
    for item in items:
        merged[item.order_item_id] = merged.get(item.order_item_id, 0.0) + item.quantity
    return [PackageItem(ref, qty) for ref, qty in merged.items()]


def build_request(
    *,
    marketplace_id,
    package_ref,
    carrier_code,
    tracking_number,
    shipped_at,
    items,
    carrier_name=None,
    shipping_method=None,
):
    """The ``ConfirmShipmentRequest`` body; raises :class:`ConfirmShipmentInvalid` when a field
    Amazon requires is missing or wrong, with a message saying what to fix."""
    if not marketplace_id:
        raise ConfirmShipmentInvalid(
            "The Amazon order has no marketplace: it cannot be confirmed through the API. "
            "Confirm it in Seller Central.",
            field="marketplaceId",
        )
    package_ref = str(package_ref or "")
    if not package_ref.isdigit() or int(package_ref) <= 0:
        raise ConfirmShipmentInvalid(
            f"The package reference {package_ref!r} must be a positive number.",
            field="packageDetail.packageReferenceId",
        )
    carrier_code = (carrier_code or "").strip()
    if not carrier_code:
        raise ConfirmShipmentInvalid(
            "The delivery has no carrier: set its Carrier, then retry.",
            field="packageDetail.carrierCode",
        )
    carrier_name = (carrier_name or "").strip()
    if carrier_code == CARRIER_OTHER and not carrier_name:
        raise ConfirmShipmentInvalid(
            "Amazon needs the carrier's name when the carrier code is Other: name the carrier, "
            "or set its Amazon carrier code, then retry.",
            field="packageDetail.carrierName",
        )
    tracking_number = (tracking_number or "").strip()
    if not tracking_number:
        raise ConfirmShipmentInvalid(
            "The delivery has no tracking reference, which Amazon requires: enter it on the "
            "delivery (Tracking Reference), then retry.",
            field="packageDetail.trackingNumber",
        )
    if not items:
        raise ConfirmShipmentInvalid(
            "The package holds no Amazon order item.", field="packageDetail.orderItems"
        )
    order_items = []
    for item in merge_items(items):
        if not item.order_item_id:
            raise ConfirmShipmentInvalid(
                "A shipped line has no Amazon order item id: it did not come from Amazon and "
                "cannot be confirmed.",
                field="packageDetail.orderItems.orderItemId",
            )
        whole = round(item.quantity)
        if abs(item.quantity - whole) > 1e-6 or whole <= 0:
            raise ConfirmShipmentInvalid(
                f"Amazon order item {item.order_item_id} would be confirmed with "
                f"{item.quantity:g} units: Amazon counts whole units. Correct the quantity "
                "delivered, or confirm it in Seller Central.",
                field="packageDetail.orderItems.quantity",
            )
        order_items.append({"orderItemId": item.order_item_id, "quantity": int(whole)})
    detail = {
        "packageReferenceId": package_ref,
        "carrierCode": carrier_code,
        "trackingNumber": tracking_number,
        "shipDate": ship_date(shipped_at),
        "orderItems": order_items,
    }
    if carrier_name:
        detail["carrierName"] = carrier_name
    if shipping_method and shipping_method.strip():
        detail["shippingMethod"] = shipping_method.strip()
    return {"marketplaceId": marketplace_id, "packageDetail": detail}


def means_already_shipped(message):
    """Whether Amazon's refusal says the package or order is already confirmed/shipped."""
    return any(pattern.search(message or "") for pattern in _ALREADY_SHIPPED)


def refusal_hint(message):
    """What the seller should do about a refusal of confirmShipment (Amazon's message)."""
    text = (message or "").lower()
    if "carrier" in text:
        return (
            "Check the delivery's carrier: set the Amazon carrier code on the carrier (Inventory > "
            "Configuration > Shipping Methods), or leave it empty to send the carrier's name."
        )
    if "tracking" in text:
        return "Check the delivery's Tracking Reference."
    if "quantity" in text or "orderitem" in text.replace(" ", ""):
        return (
            "Amazon does not expect these items or quantities: compare the delivery with the "
            "order in Seller Central (it may be shipped there already)."
        )
    if "shipdate" in text.replace(" ", "") or "date" in text:
        return "Check the delivery's effective date."
    return "Compare the delivery with the order in Seller Central."


def retry_delay(attempts):
    """Wait before the next attempt after ``attempts`` failed ones: exponential, capped."""
    return capped_backoff(attempts, RETRY_BASE, RETRY_CAP)
