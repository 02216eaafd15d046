"""Buyer personal data in stored SP-API payloads: what is kept once the retention period ends.

Amazon's Data Protection Policy lets a seller keep buyer PII (names, addresses, phone numbers,
e-mail addresses) only as long as needed to fulfil the order, and about 30 days after shipment.
Accounting keeps the order, and for tax the country, state/region and postal code of the address.
"""

import datetime

# Objects that hold the buyer's identity: emptied.
BUYER_KEYS = frozenset({"buyer", "buyerInfo", "BuyerInfo"})
# Objects that hold a delivery address: cut down to the keys below (at any depth).
ADDRESS_KEYS = frozenset(
    {
        "recipient",
        "deliveryAddress",
        "shippingAddress",
        "ShippingAddress",
        "DefaultShipFromLocationAddress",
    }
)
KEPT_ADDRESS_KEYS = frozenset(
    {"countryCode", "CountryCode", "stateOrRegion", "StateOrRegion", "postalCode", "PostalCode"}
)
# Order statuses after which nothing more is shipped for the order.
CLOSED_STATUSES = frozenset({"SHIPPED", "CANCELLED"})


def _address(value):
    if isinstance(value, dict):
        kept = {key: value[key] for key in KEPT_ADDRESS_KEYS if key in value}
        for key, inner in value.items():
            if isinstance(inner, dict | list) and key not in kept:
                kept[key] = _address(inner)
        return kept
    if isinstance(value, list):
        return [_address(item) for item in value]
    return None


def anonymize(data):
    """A copy of ``data`` (parsed JSON) without buyer PII; the rest of the order is kept."""
    if isinstance(data, dict):
        result = {}
        for key, value in data.items():
            if key in BUYER_KEYS:
                result[key] = {}
            elif key in ADDRESS_KEYS:
                result[key] = _address(value)
            else:
                result[key] = anonymize(value)
        return result
    if isinstance(data, list):
        return [anonymize(item) for item in data]
    return data


def closed_at(order):
    """When an order payload says it was shipped or cancelled (naive UTC), else None."""
    if not isinstance(order, dict):
        return None
    fulfillment = order.get("fulfillment")
    status = fulfillment.get("fulfillmentStatus") if isinstance(fulfillment, dict) else None
    updated = order.get("lastUpdatedTime")
    if status not in CLOSED_STATUSES or not isinstance(updated, str):
        return None
    try:
        moment = datetime.datetime.fromisoformat(updated.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return moment
