"""Fulfillment Inbound API 2024-03-20: inbound plans with lots and expiry, pure Python, no Odoo.

Builds and checks the ``createInboundPlan`` body the way Amazon's model describes it
(``CreateInboundPlanRequest`` in shared/spapi-models/fulfillmentInbound_2024-03-20.json): one
destination marketplace, 1 to 2000 items, each with its MSKU, a whole quantity (1 to 500000), its
``manufacturingLotCode`` (1 to 256 characters), its ``expiration`` (``YYYY-MM-DD``) and its label
and prep owners (``AMAZON`` / ``SELLER`` / ``NONE``; ``AMAZON`` labelling is not accepted in the US
marketplace), and a ship-from ``sourceAddress`` whose required fields and lengths are the model's.
Every refusal is an :class:`InboundPlanInvalid` naming the field to fix.

It also reads Amazon's answers: ``createInboundPlan`` (``inboundPlanId``, ``operationId``) and
``getInboundOperationStatus`` (``operationStatus`` IN_PROGRESS / SUCCESS / FAILED and its
``operationProblems``), says what the seller should do about a problem, gives the retry and poll
delays, and the Seller Central link that continues the plan in *Send to Amazon*.

The calls go through :meth:`.adapter.SpApiAdapter.create_inbound_plan` and
:meth:`.adapter.SpApiAdapter.get_inbound_operation_status` (the shared transport).
"""

import datetime
import re
from dataclasses import dataclass

from . import const
from .exceptions import AmazonError, AmazonMappingError
from .ratelimit import capped_backoff

OWNERS = ("AMAZON", "SELLER", "NONE")  # LabelOwner / PrepOwner enums of the model
DEFAULT_LABEL_OWNER = "SELLER"
DEFAULT_PREP_OWNER = "SELLER"
US_MARKETPLACE = "ATVPDKIKX0DER"  # LabelOwner: "AMAZON is not an accepted value in the US"

STATUS_IN_PROGRESS = "IN_PROGRESS"
STATUS_SUCCESS = "SUCCESS"
STATUS_FAILED = "FAILED"
OPERATION_STATUSES = (STATUS_SUCCESS, STATUS_FAILED, STATUS_IN_PROGRESS)

MAX_ITEMS = 2000
MAX_QUANTITY = 500000
MAX_LOT_CODE = 256
MAX_MSKU = 255
MAX_PLAN_NAME = 40
# AddressInput: required fields and maximum lengths.
ADDRESS_REQUIRED = ("addressLine1", "city", "countryCode", "name", "phoneNumber", "postalCode")
ADDRESS_MAX = {
    "addressLine1": 180,
    "addressLine2": 60,
    "city": 30,
    "companyName": 50,
    "countryCode": 2,
    "districtOrCounty": 50,
    "email": 1024,
    "name": 50,
    "phoneNumber": 20,
    "postalCode": 32,
    "stateOrProvinceCode": 64,
}
ADDRESS_LABELS = {
    "addressLine1": "street",
    "addressLine2": "second street line",
    "city": "city",
    "companyName": "company name",
    "countryCode": "country",
    "districtOrCounty": "district or county",
    "email": "email",
    "name": "name",
    "phoneNumber": "phone number",
    "postalCode": "ZIP / postal code",
    "stateOrProvinceCode": "state code",
}
_EXPIRATION = re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|3[0-1])$")
_IDENTIFIER = re.compile(r"^[a-zA-Z0-9-]*$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")

# Retries after a transient failure (throttled, 5xx, unreachable): 1 min, 2, 4... capped at 1 h.
RETRY_BASE = datetime.timedelta(minutes=1)
RETRY_CAP = datetime.timedelta(hours=1)
# Polls of an operation still IN_PROGRESS: 5 s, 10, 20, 40, then every 60 s.
POLL_BASE = 5
POLL_CAP = 60
# An operation still IN_PROGRESS after this long is given up (the plan may still appear in
# Seller Central: the seller looks there).
OPERATION_TIMEOUT = datetime.timedelta(hours=24)


class InboundPlanInvalid(AmazonError):
    """The plan cannot be sent as it is; ``field`` names what to fix (``items[0].msku``...)."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class PlanItem:
    msku: str
    quantity: int
    lot_code: str | None = None
    expiration: datetime.date | str | None = None  # a date, or "YYYY-MM-DD"


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    severity: str
    details: str = ""

    @property
    def is_error(self):
        return self.severity.upper() != "WARNING"


@dataclass(frozen=True)
class OperationStatus:
    operation_id: str
    operation: str
    status: str
    problems: tuple

    @property
    def done(self):
        return self.status != STATUS_IN_PROGRESS


def _text(value):
    return value.strip() if isinstance(value, str) else ""


def expiration_text(value):
    """``YYYY-MM-DD`` of a date (or datetime, or such a string), or None."""
    if not value:
        return None
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def merge_items(items):
    """One item per (MSKU, lot code, expiration), quantities summed, in first-seen order."""
    merged = {}
    for item in items:
        key = (item.msku, item.lot_code or None, expiration_text(item.expiration))
        merged[key] = merged.get(key, 0) + item.quantity
    return [
        PlanItem(msku, quantity, lot_code, expiration)
        for (msku, lot_code, expiration), quantity in merged.items()
    ]


def _check_owner(value, field, marketplace_id):
    if value not in OWNERS:
        raise InboundPlanInvalid(
            f"{field} must be one of {', '.join(OWNERS)}, not {value!r}.", field=field
        )
    if field.endswith("labelOwner") and value == "AMAZON" and marketplace_id == US_MARKETPLACE:
        raise InboundPlanInvalid(
            "Amazon does not label items in the US marketplace: set the account's label owner "
            "to Seller (or None for items that need no label).",
            field=field,
        )


def _check_item(index, item, label_owner, prep_owner, marketplace_id):
    where = f"items[{index}]"
    msku = _text(item.msku)
    if not msku or len(msku) > MAX_MSKU:
        raise InboundPlanInvalid(
            f"Item {index + 1} has no valid SKU (1 to {MAX_MSKU} characters): link the product "
            "to its Amazon offer.",
            field=f"{where}.msku",
        )
    quantity = item.quantity
    if isinstance(quantity, float):
        if abs(quantity - round(quantity)) > 1e-6:
            raise InboundPlanInvalid(
                f"SKU {msku}: {quantity:g} units is not a whole number; Amazon counts whole "
                "units of the SKU.",
                field=f"{where}.quantity",
            )
        quantity = round(quantity)
    if not isinstance(quantity, int) or isinstance(quantity, bool):
        raise InboundPlanInvalid(
            f"SKU {msku}: the quantity must be a whole number.", field=f"{where}.quantity"
        )
    if not 1 <= quantity <= MAX_QUANTITY:
        raise InboundPlanInvalid(
            f"SKU {msku}: {quantity} units is outside Amazon's limits (1 to {MAX_QUANTITY}).",
            field=f"{where}.quantity",
        )
    body = {
        "msku": msku,
        "quantity": quantity,
        "labelOwner": label_owner,
        "prepOwner": prep_owner,
    }
    if item.lot_code is not None and item.lot_code != "":
        lot = item.lot_code
        if (
            not isinstance(lot, str)
            or not lot.strip()
            or len(lot) > MAX_LOT_CODE
            or not lot.isprintable()
        ):
            raise InboundPlanInvalid(
                f"SKU {msku}: lot {str(lot)[:40]!r} cannot be sent as a manufacturing lot code "
                f"(1 to {MAX_LOT_CODE} printable characters): rename the lot.",
                field=f"{where}.manufacturingLotCode",
            )
        body["manufacturingLotCode"] = lot
    expiration = expiration_text(item.expiration)
    if expiration:
        if not _EXPIRATION.match(expiration):
            raise InboundPlanInvalid(
                f"SKU {msku}: the expiration date {expiration!r} is not a date (YYYY-MM-DD).",
                field=f"{where}.expiration",
            )
        body["expiration"] = expiration
    return body


def build_address(values):
    """The ``AddressInput`` of ``values`` (Amazon's field names), stripped and checked."""
    address = {}
    for field, value in values.items():
        text = _text(value)
        if text:
            address[field] = text
    for field in ADDRESS_REQUIRED:
        if field not in address:
            raise InboundPlanInvalid(
                f"The ship-from address has no {ADDRESS_LABELS[field]}, which Amazon requires.",
                field=f"sourceAddress.{field}",
            )
    for field, text in address.items():
        limit = ADDRESS_MAX.get(field)
        if limit is None:
            raise InboundPlanInvalid(
                f"Unknown address field {field}.", field=f"sourceAddress.{field}"
            )
        if len(text) > limit:
            raise InboundPlanInvalid(
                f"The ship-from address's {ADDRESS_LABELS[field]} {text!r} is longer than the "
                f"{limit} characters Amazon accepts: shorten it.",
                field=f"sourceAddress.{field}",
            )
    if not _COUNTRY.match(address["countryCode"]):
        raise InboundPlanInvalid(
            f"The ship-from country {address['countryCode']!r} is not a two-letter ISO code.",
            field="sourceAddress.countryCode",
        )
    return address


def build_request(
    *,
    marketplace_id,
    items,
    source_address,
    name=None,
    label_owner=DEFAULT_LABEL_OWNER,
    prep_owner=DEFAULT_PREP_OWNER,
):
    """The ``CreateInboundPlanRequest`` body; raises :class:`InboundPlanInvalid` naming the
    field when something Amazon requires is missing or wrong."""
    marketplace_id = _text(marketplace_id)
    if not marketplace_id or len(marketplace_id) > 20:
        raise InboundPlanInvalid(
            "The plan has no destination marketplace: give the account a marketplace of this "
            "stock pool.",
            field="destinationMarketplaces",
        )
    _check_owner(label_owner, "items.labelOwner", marketplace_id)
    _check_owner(prep_owner, "items.prepOwner", marketplace_id)
    merged = merge_items(items)
    if not merged:
        raise InboundPlanInvalid("The transfer holds nothing to send to Amazon.", field="items")
    if len(merged) > MAX_ITEMS:
        raise InboundPlanInvalid(
            f"The plan has {len(merged)} items (SKU and lot); Amazon accepts at most "
            f"{MAX_ITEMS}: split the transfer.",
            field="items",
        )
    body = {
        "destinationMarketplaces": [marketplace_id],
        "items": [
            _check_item(index, item, label_owner, prep_owner, marketplace_id)
            for index, item in enumerate(merged)
        ],
        "sourceAddress": build_address(source_address),
    }
    name = _text(name)
    if name:
        body["name"] = name[:MAX_PLAN_NAME]
    return body


# -- Amazon's answers ---------------------------------------------------------------------------


def _identifier(payload, field, lengths):
    value = payload.get(field) if isinstance(payload, dict) else None
    low, high = lengths
    if not isinstance(value, str) or not low <= len(value) <= high or not _IDENTIFIER.match(value):
        raise AmazonMappingError(
            f"Amazon sent a malformed payload: field {field} must be an identifier of {low} to "
            f"{high} letters, digits or dashes.",
            field=field,
        )
    return value


def parse_create_response(payload):
    """``(inboundPlanId, operationId)`` of a createInboundPlan answer."""
    return (
        _identifier(payload, "inboundPlanId", (38, 38)),
        _identifier(payload, "operationId", (36, 38)),
    )


def parse_operation_status(payload):
    """The :class:`OperationStatus` of a getInboundOperationStatus answer."""
    if not isinstance(payload, dict):
        raise AmazonMappingError(
            "Amazon sent a malformed payload: the operation status must be an object.",
            field="operationStatus",
        )
    operation_id = _identifier(payload, "operationId", (36, 38))
    status = payload.get("operationStatus")
    if status not in OPERATION_STATUSES:
        raise AmazonMappingError(
            f"Amazon sent a malformed payload: field operationStatus is {status!r}, not one of "
            f"{', '.join(OPERATION_STATUSES)}.",
            field="operationStatus",
        )
    raw_problems = payload.get("operationProblems") or []
    if not isinstance(raw_problems, list):
        raise AmazonMappingError(
            "Amazon sent a malformed payload: field operationProblems must be a list.",
            field="operationProblems",
        )
    problems = []
    for index, raw in enumerate(raw_problems):
        if not isinstance(raw, dict) or not raw.get("code") or not raw.get("message"):
            raise AmazonMappingError(
                f"Amazon sent a malformed payload: operationProblems[{index}] needs a code and "
                "a message.",
                field=f"operationProblems[{index}]",
            )
        problems.append(
            Problem(
                code=str(raw["code"]),
                message=str(raw["message"]),
                severity=str(raw.get("severity") or "ERROR"),
                details=str(raw.get("details") or ""),
            )
        )
    return OperationStatus(
        operation_id=operation_id,
        operation=str(payload.get("operation") or ""),
        status=status,
        problems=tuple(problems),
    )


def problem_hint(problem):
    """What the seller should do about one of Amazon's operation problems."""
    text = f"{problem.code} {problem.message} {problem.details}".lower()
    if "expir" in text:
        return (
            "Amazon needs an expiration date for this SKU: set the expiration date of each of "
            "its lots (Inventory > Lots/Serial Numbers), then send the transfer again."
        )
    if "lot" in text:
        return "Check the lot names of the transfer (the manufacturing lot codes sent)."
    if "msku" in text or "sku" in text or "listing" in text or "asin" in text:
        return (
            "Amazon does not know this SKU as an FBA offer of the marketplace: check the offer's "
            "SKU in Odoo (Sales > Amazon > Offers) and that the listing is converted to "
            "Fulfilled by Amazon in Seller Central, then send the transfer again."
        )
    if "prep" in text:
        return "Check the prep owner on the Amazon account (tab Inbound Plans)."
    if "label" in text:
        return "Check the label owner on the Amazon account (tab Inbound Plans)."
    if "address" in text:
        return "Check the ship-from address (the warehouse's address)."
    if "hazmat" in text or "dangerous" in text:
        return "Complete the product's dangerous goods information in Seller Central."
    return "Compare the plan with the listing in Seller Central, fix it, then send again."


def retry_delay(attempts):
    """Wait before the next attempt after ``attempts`` failed ones: exponential, capped."""
    return capped_backoff(attempts, RETRY_BASE, RETRY_CAP)


def poll_delay(polls):
    """Seconds before polling an operation again after ``polls`` IN_PROGRESS answers."""
    return capped_backoff(polls, POLL_BASE, POLL_CAP)


def seller_central_host(marketplace_code):
    """Seller Central's host for a marketplace country code (``US``, ``DE``, ``GB``/``UK``...)."""
    code = (marketplace_code or "").upper()
    code = "GB" if code == "UK" else code
    site, _country = const.MARKETPLACE_SITES.get(code, ("Amazon.com", None))
    return "sellercentral." + site.lower()


def send_to_amazon_url(marketplace_code, inbound_plan_id=None):
    """Seller Central's *Send to Amazon* page, opened on ``inbound_plan_id`` when given.

    The ``?wf=<inboundPlanId>`` form is the one Seller Central shows in its own address bar
    for a plan (an inbound plan id is Send to Amazon's workflow id); Amazon's API documents
    do not spell it out.
    """
    url = f"https://{seller_central_host(marketplace_code)}/fba/sendtoamazon"
    if inbound_plan_id:
        url += f"?wf={inbound_plan_id}"
    return url
