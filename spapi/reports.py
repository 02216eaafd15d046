"""FBA report documents (Reports API 2021-06-30), pure Python, no Odoo import.

Parses the two tab-separated flat files the inventory ledger import reads, following
shared/spapi-models/REPORTS.md and tolerant where its sources disagree:

- ``GET_LEDGER_DETAIL_VIEW_DATA`` (inventory ledger, detailed view): every cell quoted, spaced
  header names (``Event Type``) or Amazon's camel-cased prose names (``EventType``), 15 or 16
  columns (``Store`` optional), ``MM/DD/YYYY`` dates, signed quantities;
- ``GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA`` (customer returns): plain cells, ``order-id`` or
  ``amazon-order-id``, ISO 8601 return dates (or ``DD-MM-YYYY`` from a Seller Central download).

A UTF-8 BOM is stripped, ``\\r\\n`` accepted. Each row becomes a small frozen record; a row that
cannot be read becomes a :class:`MalformedRow` with its line number and the reason. Rows are
never deduplicated on content (two identical ledger lines are two events): :func:`identities`
gives each its identity, its event's fields plus its rank among identical events.

The calls (createReport, getReport, getReportDocument) go through
:class:`.adapter.SpApiAdapter` (the shared transport).
"""

import csv
import datetime
import gzip
import hashlib
import re
from dataclasses import dataclass

REPORT_LEDGER = "GET_LEDGER_DETAIL_VIEW_DATA"
REPORT_CUSTOMER_RETURNS = "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA"
REPORT_TYPES = (REPORT_LEDGER, REPORT_CUSTOMER_RETURNS)

# processingStatus of the Report model.
STATUS_IN_QUEUE = "IN_QUEUE"
STATUS_IN_PROGRESS = "IN_PROGRESS"
STATUS_DONE = "DONE"
STATUS_CANCELLED = "CANCELLED"
STATUS_FATAL = "FATAL"
PENDING_STATUSES = (STATUS_IN_QUEUE, STATUS_IN_PROGRESS)

# Ledger event types (other values may exist: kept as data).
EVENT_SHIPMENTS = "Shipments"
EVENT_CUSTOMER_RETURNS = "CustomerReturns"
EVENT_RECEIPTS = "Receipts"
EVENT_VENDOR_RETURNS = "VendorReturns"
EVENT_WHSE_TRANSFERS = "WhseTransfers"
EVENT_ADJUSTMENTS = "Adjustments"

SELLABLE = "SELLABLE"
# Dispositions of units Amazon cannot sell (ledger and returns vocabularies).
UNSELLABLE_DISPOSITIONS = frozenset(
    {
        "CUSTOMER_DAMAGED",
        "DEFECTIVE",
        "CARRIER_DAMAGED",
        "DAMAGED",
        "WAREHOUSE_DAMAGED",
        "DISTRIBUTOR_DAMAGED",
        "EXPIRED",
    }
)

# Ledger adjustment reason codes (SC help G4FKT5KQWFFJ7LDN).
ADJUSTMENT_REASONS = {
    "6": "Damaged at the fulfilment centre (from carrier-damaged stock)",
    "7": "Damaged at the fulfilment centre (from expired stock)",
    "E": "Damaged at the fulfilment centre (from sellable stock)",
    "H": "Damaged at the fulfilment centre (from customer-damaged stock)",
    "K": "Damaged at the fulfilment centre (from defective stock)",
    "U": "Damaged at the fulfilment centre (from distributor-damaged stock)",
    "D": "Disposed of",
    "F": "Found",
    "N": "Found or transferred in",
    "M": "Misplaced",
    "5": "Misplaced",
    "3": "Product redefinition, transfer in",
    "4": "Product redefinition, transfer out",
    "O": "Inventory correction",
    "P": "Disposition change, adding side",
    "Q": "Disposition change, removing side",
    "G": "Disposed of by donation",
}

_LEDGER_ALIASES = {
    "date": "date",
    "fnsku": "fnsku",
    "asin": "asin",
    "msku": "sku",
    "title": "title",
    "event type": "event_type",
    "eventtype": "event_type",
    "reference id": "reference",
    "referenceid": "reference",
    "quantity": "quantity",
    "fulfillment center": "fulfillment_center",
    "fulfillmentcenter": "fulfillment_center",
    "disposition": "disposition",
    "reason": "reason",
    "country": "country",
    "reconciled quantity": "reconciled_qty",
    "reconciledquantity": "reconciled_qty",
    "unreconciled quantity": "unreconciled_qty",
    "unreconciledquantity": "unreconciled_qty",
    "date and time": "date_time",
    "store": "store",
}
_LEDGER_REQUIRED = ("date", "sku", "event_type", "quantity")

_RETURNS_ALIASES = {
    "return-date": "return_date",
    "order-id": "order_id",
    "amazon-order-id": "order_id",
    "sku": "sku",
    "asin": "asin",
    "fnsku": "fnsku",
    "product-name": "product_name",
    "quantity": "quantity",
    "fulfillment-center-id": "fulfillment_center",
    "detailed-disposition": "disposition",
    "reason": "reason",
    "status": "status",
    "license-plate-number": "license_plate",
    "customer-comments": "comments",
}
_RETURNS_REQUIRED = ("return_date", "order_id", "sku", "quantity", "disposition")

_OFFSET_NO_COLON = re.compile(r"([+-]\d{2})(\d{2})$")


class ReportFormatError(ValueError):
    """The document as a whole cannot be read (no header, a required column missing)."""


@dataclass(frozen=True)
class LedgerRow:
    line: int
    date: datetime.date
    sku: str
    fnsku: str
    asin: str
    event_type: str
    reference: str
    quantity: int
    fulfillment_center: str
    disposition: str
    reason: str
    country: str
    moment: datetime.datetime | None  # naive UTC, from "Date and Time" when present
    raw: str  # the line as read, for the identity

    @property
    def kind(self):
        return self.event_type


@dataclass(frozen=True)
class ReturnRow:
    line: int
    date: datetime.date
    moment: datetime.datetime | None
    order_id: str
    sku: str
    fnsku: str
    asin: str
    quantity: int
    fulfillment_center: str
    disposition: str
    reason: str
    status: str
    license_plate: str
    raw: str


@dataclass(frozen=True)
class MalformedRow:
    line: int
    reason: str
    raw: str


def decompress(content, compression_algorithm=None):
    """The document's bytes: gunzipped when Amazon says GZIP (or the bytes are gzip anyway)."""
    if compression_algorithm == "GZIP" or content[:2] == b"\x1f\x8b":
        try:
            return gzip.decompress(content)
        except (OSError, EOFError) as error:
            if compression_algorithm == "GZIP":
                raise ReportFormatError(f"the report document is not valid gzip: {error}") from None
    return content


def decode(content, charset=None):
    """Text of the document: the declared charset, else UTF-8, falling back to cp1252."""
    for encoding in filter(None, (charset, "utf-8")):
        try:
            return content.decode(encoding).lstrip("\ufeff")
        except (LookupError, UnicodeDecodeError):
            continue
    return content.decode("cp1252", "replace").lstrip("\ufeff")


def _records(text, aliases, required, quoted):
    """``(line number, {field: value}, raw line)`` per data line, after the header."""
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise ReportFormatError("the report document is empty (no header line)")
    reader = csv.reader(
        lines,
        delimiter="\t",
        quotechar='"',
        quoting=csv.QUOTE_MINIMAL if quoted else csv.QUOTE_NONE,
    )
    header = [aliases.get(name.strip().strip('"').strip().lower()) for name in next(reader)]
    missing = [name for name in required if name not in header]
    if missing:
        raise ReportFormatError(
            "the report's header lacks the column(s) " + ", ".join(missing) + f": {lines[0]!r}"
        )
    needed = max(header.index(name) for name in required) + 1
    for number, cells in enumerate(reader, start=2):
        raw = lines[number - 1]
        if not raw.strip():
            continue
        if len(cells) < needed:
            yield number, None, raw
            continue
        values = {}
        for name, cell in zip(header, cells, strict=False):
            if name:
                values[name] = cell.strip() if quoted else cell.strip().strip('"').strip()
        yield number, values, raw


def _int(value, name):
    try:
        return int(str(value).strip().replace(",", ""))
    except ValueError:
        raise ValueError(f"{name} {value!r} is not a whole number") from None


def _moment(value):
    """An ISO 8601 timestamp (``+0100``, ``+01:00`` or ``Z``) as naive UTC; None when empty."""
    if not value:
        return None
    text = _OFFSET_NO_COLON.sub(r"\1:\2", value.strip().replace("Z", "+00:00"))
    moment = datetime.datetime.fromisoformat(text)
    if moment.tzinfo:
        moment = moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return moment


def _date(value, formats, name):
    text = (value or "").strip()
    for fmt in formats:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    try:
        return _moment(text).date()
    except (ValueError, AttributeError):
        raise ValueError(f"{name} {value!r} is not a date") from None


def parse_ledger(text):
    """Rows of a ``GET_LEDGER_DETAIL_VIEW_DATA`` document: ``[LedgerRow | MalformedRow]``."""
    result = []
    for line, values, raw in _records(text, _LEDGER_ALIASES, _LEDGER_REQUIRED, quoted=True):
        if values is None:
            result.append(MalformedRow(line, "too few columns", raw))
            continue
        try:
            if not values.get("sku"):
                raise ValueError("MSKU is empty")
            if not values.get("event_type"):
                raise ValueError("Event Type is empty")
            try:
                moment = _moment(values.get("date_time"))
            except ValueError:
                raise ValueError(
                    f"Date and Time {values.get('date_time')!r} is not a time"
                ) from None
            result.append(
                LedgerRow(
                    line=line,
                    date=_date(values.get("date"), ("%m/%d/%Y",), "Date"),
                    sku=values["sku"],
                    fnsku=values.get("fnsku", ""),
                    asin=values.get("asin", ""),
                    event_type=values["event_type"],
                    reference=values.get("reference", ""),
                    quantity=_int(values.get("quantity"), "Quantity"),
                    fulfillment_center=values.get("fulfillment_center", ""),
                    disposition=values.get("disposition", "").upper(),
                    reason=values.get("reason", ""),
                    country=values.get("country", ""),
                    moment=moment,
                    raw=raw,
                )
            )
        except ValueError as error:
            result.append(MalformedRow(line, str(error), raw))
    return result


def parse_customer_returns(text):
    """Rows of a ``GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA`` document."""
    result = []
    for line, values, raw in _records(text, _RETURNS_ALIASES, _RETURNS_REQUIRED, quoted=False):
        if values is None:
            result.append(MalformedRow(line, "too few columns", raw))
            continue
        try:
            for name, label in (("order_id", "order-id"), ("sku", "sku")):
                if not values.get(name):
                    raise ValueError(f"{label} is empty")
            quantity = _int(values.get("quantity"), "quantity")
            if quantity <= 0:
                raise ValueError(f"quantity {quantity} is not positive")
            try:
                moment = _moment(values["return_date"])
            except ValueError:
                moment = None
            result.append(
                ReturnRow(
                    line=line,
                    date=moment.date()
                    if moment
                    else _date(values["return_date"], ("%d-%m-%Y", "%d-%b-%Y"), "return-date"),
                    moment=moment,
                    order_id=values["order_id"],
                    sku=values["sku"],
                    fnsku=values.get("fnsku", ""),
                    asin=values.get("asin", ""),
                    quantity=quantity,
                    fulfillment_center=values.get("fulfillment_center", ""),
                    disposition=(values.get("disposition") or "").upper(),
                    reason=values.get("reason", ""),
                    status=values.get("status", ""),
                    license_plate=values.get("license_plate", ""),
                    raw=raw,
                )
            )
        except ValueError as error:
            result.append(MalformedRow(line, str(error), raw))
    return result


def parse(report_type, text):
    """Rows of a document of ``report_type`` (one of :data:`REPORT_TYPES`)."""
    if report_type == REPORT_LEDGER:
        return parse_ledger(text)
    if report_type == REPORT_CUSTOMER_RETURNS:
        return parse_customer_returns(text)
    raise ReportFormatError(f"no parser for report type {report_type}")


def _event_key(row):
    """What identifies the event of a row, whatever a later report changes around it.

    A ledger line's event is its date, time, SKU, FNSKU, event type, reference, quantity, centre,
    disposition, reason and country: not its title, nor its reconciled / unreconciled
    quantities, which Amazon updates on later reports of the same adjustment. A customer return
    is its license plate (or, without one, its line).
    """
    if isinstance(row, LedgerRow):
        return "\0".join(
            str(value)
            for value in (
                row.date,
                row.moment or "",
                row.sku,
                row.fnsku,
                row.event_type,
                row.reference,
                row.quantity,
                row.fulfillment_center,
                row.disposition,
                row.reason,
                row.country,
            )
        )
    if isinstance(row, ReturnRow) and row.license_plate:
        return f"{row.order_id}\0{row.sku}\0{row.license_plate}"
    return row.raw.strip()


def row_identity(report_type, row, occurrence=0):
    """A stable identity of a row across reports covering the same events: its event key
    (:func:`_event_key`) and its ``occurrence`` among the rows of the document with that key
    (identical ledger lines are separate events, and an overlapping later report lists them
    again in the same order)."""
    key = f"{report_type}\0{_event_key(row)}\0{occurrence}"
    return hashlib.sha256(key.encode()).hexdigest()


def identities(report_type, rows):
    """``[(row, identity)]`` for parsed rows, counting rows of the same event key."""
    seen = {}
    result = []
    for row in rows:
        key = _event_key(row)
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        result.append((row, row_identity(report_type, row, occurrence)))
    return result
