"""A local SP-API simulator: a real HTTP server on 127.0.0.1 (standard library only).

It answers Login with Amazon (``POST /auth/o2/token``), Orders API 2026-01-01 ``searchOrders``,
Sellers ``getMarketplaceParticipations``, FBA Inventory ``getInventorySummaries``, Orders API v0
``confirmShipment`` (FBM packages, recorded on the orders it serves) and Fulfillment Outbound
``getFulfillmentOrder`` (MCF shipments with their lot codes) the way
Amazon's models (shared/spapi-models) describe them: parameter validation with ``InvalidInput``
errors, opaque pagination tokens bound to the query, ``includedData`` datasets, the
``x-amzn-RateLimit-Limit`` and ``x-amzn-RequestId`` headers, 403 without a token it issued.
Tests script failures with :meth:`SpApiSimulator.throttle_next`, :meth:`~SpApiSimulator.fail_next`
and :meth:`~SpApiSimulator.delay_next`, and read the request log in ``requests`` (no secrets).

Run it for a demo: ``python tools/sp_api_simulator.py --orders orders.json --port 0``.
"""

import argparse
import base64
import copy
import csv
import datetime
import gzip
import hashlib
import io
import json
import logging
import re
import secrets
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

try:
    from .sp_api_payloads import (
        iso,
        make_inventory_summary,
        make_item,
        make_order,
        make_participation,
    )
except ImportError:  # run as a script: python tools/sp_api_simulator.py
    from sp_api_payloads import (  # noqa: F401
        iso,
        make_inventory_summary,
        make_item,
        make_order,
        make_participation,
    )

_logger = logging.getLogger(__name__)

ORDERS_PATH = "/orders/2026-01-01/orders"
PARTICIPATIONS_PATH = "/sellers/v1/marketplaceParticipations"
INVENTORY_PATH = "/fba/inventory/v1/summaries"
TOKEN_PATH = "/auth/o2/token"
CONFIRM_SHIPMENT_RE = re.compile(r"^/orders/v0/orders/([^/]+)/shipmentConfirmation$")
CONFIRM_SHIPMENT_RATE = 2.0
# Reports API 2021-06-30 (FBA inventory ledger, customer returns).
REPORTS_PATH = "/reports/2021-06-30/reports"
REPORT_RE = re.compile(r"^/reports/2021-06-30/reports/([^/]+)$")
REPORT_DOCUMENT_RE = re.compile(r"^/reports/2021-06-30/documents/([^/]+)$")
DOWNLOAD_RE = re.compile(r"^/sim-report-documents/([^/]+)$")  # the "presigned" document URL
REPORT_RATES = {"createReport": 0.0167, "getReport": 2.0, "getReportDocument": 0.0167}
# Fulfillment Outbound API 2020-07-01 getFulfillmentOrder (Multi-Channel Fulfilment).
FULFILLMENT_ORDER_RE = re.compile(r"^/fba/outbound/2020-07-01/fulfillmentOrders/([^/]+)$")
FULFILLMENT_ORDER_RATE = 2.0
LEDGER_COLUMNS = (
    "Date",
    "FNSKU",
    "ASIN",
    "MSKU",
    "Title",
    "Event Type",
    "Reference ID",
    "Quantity",
    "Fulfillment Center",
    "Disposition",
    "Reason",
    "Country",
    "Reconciled Quantity",
    "Unreconciled Quantity",
    "Date and Time",
)
RETURNS_COLUMNS = (
    "return-date",
    "order-id",
    "sku",
    "asin",
    "fnsku",
    "product-name",
    "quantity",
    "fulfillment-center-id",
    "detailed-disposition",
    "reason",
    "status",
    "license-plate-number",
    "customer-comments",
)
REPORT_COLUMNS = {
    "GET_LEDGER_DETAIL_VIEW_DATA": LEDGER_COLUMNS,
    "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA": RETURNS_COLUMNS,
}

# Fulfillment Inbound API 2024-03-20 (inbound plans with lots and expiry).
INBOUND_PLANS_PATH = "/inbound/fba/2024-03-20/inboundPlans"
INBOUND_OPERATION_RE = re.compile(r"^/inbound/fba/2024-03-20/operations/([^/]+)$")
INBOUND_RATES = {"createInboundPlan": 2.0, "getInboundOperationStatus": 2.0}
INBOUND_OWNERS = ("AMAZON", "SELLER", "NONE")
INBOUND_ADDRESS_MAX = {
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
INBOUND_ADDRESS_REQUIRED = (
    "addressLine1",
    "city",
    "countryCode",
    "name",
    "phoneNumber",
    "postalCode",
)
INBOUND_ITEM_FIELDS = (
    "msku",
    "quantity",
    "labelOwner",
    "prepOwner",
    "expiration",
    "manufacturingLotCode",
)
INBOUND_EXPIRATION_RE = re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|3[0-1])$")
INBOUND_ID_RE = re.compile(r"^[a-zA-Z0-9-]*$")

# Documented default rates (requests per second) per operation.
DEFAULT_RATES = {ORDERS_PATH: 0.0056, PARTICIPATIONS_PATH: 0.016, INVENTORY_PATH: 2.0}

FULFILLMENT_STATUSES = (
    "PENDING_AVAILABILITY",
    "PENDING",
    "UNSHIPPED",
    "PARTIALLY_SHIPPED",
    "SHIPPED",
    "CANCELLED",
    "UNFULFILLABLE",
)
FULFILLED_BY = ("MERCHANT", "AMAZON")
# includedData dataset -> the order keys / order item keys it brings.
ORDER_DATASETS = {
    "BUYER": ("buyer",),
    "RECIPIENT": ("recipient",),
    "PROCEEDS": ("proceeds",),
    "PAYMENT": ("payment",),
    "TAX": ("tax",),
    "FULFILLMENT": ("fulfillment",),
    "PACKAGES": ("packages",),
    "FULFILLMENT_ORDERS": ("fulfillmentOrders",),
}
ITEM_DATASETS = {
    "PROCEEDS": ("proceeds",),
    "EXPENSE": ("expense",),
    "PROMOTION": ("promotion",),
    "CANCELLATION": ("cancellation",),
    "FULFILLMENT": ("fulfillment",),
    "TAX": ("tax",),
}
INCLUDED_DATA = (
    "BUYER",
    "RECIPIENT",
    "PROCEEDS",
    "EXPENSE",
    "PROMOTION",
    "CANCELLATION",
    "FULFILLMENT",
    "PACKAGES",
    "TAX",
    "PAYMENT",
    "FULFILLMENT_ORDERS",
)
MIN_AGE = datetime.timedelta(minutes=2)


class _BadRequest(Exception):
    def __init__(self, message, status=400, code="InvalidInput"):
        super().__init__(message)
        self.status = status
        self.code = code


def _parse_time(value, name):
    try:
        moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        raise _BadRequest(f"{name} is not a valid ISO 8601 date-time: {value!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment


def _one(query, name):
    values = query.get(name)
    return values[-1] if values else None


def _many(query, name):
    """A list parameter, sent as ``a,b`` (python-amazon-sp-api) or repeated."""
    result = []
    for value in query.get(name, []):
        result.extend(part for part in value.split(",") if part)
    return result


def _check_enum(values, allowed, name):
    for value in values:
        if value not in allowed:
            raise _BadRequest(f"{value!r} is not a valid value for {name}.")


class _Handler(BaseHTTPRequestHandler):
    server_version = "SpApiSimulator/1.0"

    def do_GET(self):
        self.server.simulator._handle(self, "GET")

    def do_POST(self):
        self.server.simulator._handle(self, "POST")

    def log_message(self, format, *args):  # quiet: the simulator keeps its own log
        return


class SpApiSimulator:
    def __init__(
        self,
        *,
        orders=(),
        inventory=(),
        client_id="fake-client-id",
        client_secret="fake-client-secret",
        refresh_token="Atzr|fake-refresh-token",
        page_size=100,
        rate_limit=None,
        marketplace_participations=None,
        host="127.0.0.1",
        port=0,
    ):
        self.client_id = client_id
        self.client_secret = client_secret
        self.refresh_token = refresh_token
        self.page_size = page_size
        self.rate_limit = rate_limit
        self.host = host
        self.port = port
        self._lock = threading.RLock()
        self._orders = copy.deepcopy(list(orders))
        self._inventory = copy.deepcopy(list(inventory))
        self._participations = copy.deepcopy(
            marketplace_participations
            if marketplace_participations is not None
            else [make_participation()]
        )
        self._tokens = set()
        self._throttle = []  # Retry-After value (or None) per pending 429
        self._failures = []  # status per pending failure
        self._delays = []  # seconds per pending slow answer
        self.orders_delay = 0.0  # seconds every searchOrders answer takes (a slow Amazon)
        self._report_rows = {}  # report type -> rows (dicts keyed by Amazon's column names)
        self._reports = {}  # report id -> Report dict (+ "_polls", "_document")
        self._documents = {}  # document id -> gzip bytes
        self._cancelled_types = set()  # report types Amazon cancels
        self.report_polls_until_done = 2  # getReport calls answering IN_QUEUE, IN_PROGRESS
        self._inbound_plans = {}  # inbound plan id -> the createInboundPlan body (+ its status)
        self._inbound_operations = {}  # operation id -> {"plan": id, "polls": n, "problems": []}
        self._inbound_known_mskus = None  # None: every MSKU is an FBA listing
        self._inbound_expiring_mskus = set()  # MSKUs whose items need an expiration date
        self.inbound_polls_until_done = 1  # getInboundOperationStatus calls answering IN_PROGRESS
        self._fulfillment_orders = {}  # sellerFulfillmentOrderId -> GetFulfillmentOrderResult
        self.requests = []
        self._server = None
        self._thread = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self):
        if self._server is None:
            self._server = ThreadingHTTPServer((self.host, self.port), _Handler)
            self._server.daemon_threads = True
            self._server.simulator = self
            self.port = self._server.server_address[1]
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name="sp-api-simulator",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    @property
    def url(self):
        return f"http://{self.host}:{self.port}"

    @property
    def lwa_url(self):
        return self.url + TOKEN_PATH

    # -- scripting ---------------------------------------------------------------------------

    def add_orders(self, orders):
        with self._lock:
            self._orders.extend(copy.deepcopy(list(orders)))

    def set_orders(self, orders):
        with self._lock:
            self._orders = copy.deepcopy(list(orders))

    def set_inventory(self, summaries):
        with self._lock:
            self._inventory = copy.deepcopy(list(summaries))

    def set_participations(self, participations):
        with self._lock:
            self._participations = copy.deepcopy(list(participations))

    def set_report_rows(self, report_type, rows):
        """The rows the next reports of ``report_type`` contain (dicts keyed by column name)."""
        with self._lock:
            self._report_rows[report_type] = copy.deepcopy(list(rows))

    def cancel_reports(self, report_type):
        """Reports of ``report_type`` end CANCELLED (Amazon had no data, or replaced them)."""
        with self._lock:
            self._cancelled_types.add(report_type)

    def set_fulfillment_order(self, payload):
        """Serve ``payload`` (a ``GetFulfillmentOrderResult``, see ``make_fulfillment_order``)
        as getFulfillmentOrder of its ``sellerFulfillmentOrderId`` (unknown ids answer 404)."""
        with self._lock:
            ref = payload["fulfillmentOrder"]["sellerFulfillmentOrderId"]
            self._fulfillment_orders[ref] = copy.deepcopy(payload)

    def clear_fulfillment_orders(self):
        with self._lock:
            self._fulfillment_orders.clear()

    def throttle_next(self, n=1, retry_after=None):
        """The next ``n`` API calls answer 429 (QuotaExceeded)."""
        with self._lock:
            self._throttle.extend([retry_after] * n)

    def fail_next(self, n=1, status=500):
        """The next ``n`` API calls answer ``status`` with an errors list."""
        with self._lock:
            self._failures.extend([status] * n)

    def delay_next(self, n=1, seconds=1.0):
        """The next ``n`` requests (API calls or token requests) answer only after ``seconds``."""
        with self._lock:
            self._delays.extend([seconds] * n)

    def revoke_tokens(self):
        """Forget issued access tokens: API calls answer 403 until a new token is requested."""
        with self._lock:
            self._tokens.clear()

    def api_requests(self, path=None):
        """The logged API calls (not the token requests), optionally for one path."""
        with self._lock:
            return [
                r
                for r in self.requests
                if r["path"] != TOKEN_PATH and (path is None or r["path"] == path)
            ]

    # -- HTTP --------------------------------------------------------------------------------

    def _handle(self, handler, method):
        parts = urlsplit(handler.path)
        path = parts.path.rstrip("/") or "/"
        query = parse_qs(parts.query, keep_blank_values=True)
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        handler.afk_body = body
        headers = {"x-amzn-RequestId": str(uuid.uuid4())}
        with self._lock:
            delay = self._delays.pop(0) if self._delays else 0
        if path == ORDERS_PATH and self.orders_delay:
            delay += self.orders_delay
        if delay:
            time.sleep(delay)
        logged = {name: values if len(values) > 1 else values[0] for name, values in query.items()}
        download = DOWNLOAD_RE.match(path) if method == "GET" else None
        if download:
            self._serve_document(handler, download.group(1))
            return
        if method == "POST" and path == TOKEN_PATH:
            form = parse_qs(body.decode("utf-8", "replace"))
            logged = {"grant_type": _one(form, "grant_type")}  # never the secrets
            status, payload = self._token(form)
        else:
            headers["x-amzn-RateLimit-Limit"] = str(
                self.rate_limit if self.rate_limit is not None else DEFAULT_RATES.get(path, 1.0)
            )
            status, payload = self._api(handler, method, path, query, headers)
        with self._lock:
            self.requests.append(
                {
                    "time": time.time(),
                    "method": method,
                    "path": path,
                    "params": logged,
                    "status": status,
                }
            )
        data = b"" if status == 204 else json.dumps(payload).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        try:
            handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            # the client gave up (e.g. its timeout expired during delay_next)
            _logger.debug("client closed the connection before %s %s was answered", method, path)

    def _token(self, form):
        if _one(form, "grant_type") != "refresh_token":
            return 400, {
                "error": "unsupported_grant_type",
                "error_description": "The authorization grant type is not supported.",
            }
        if _one(form, "client_id") != self.client_id or (
            _one(form, "client_secret") != self.client_secret
        ):
            return 401, {
                "error": "invalid_client",
                "error_description": "Client authentication failed",
            }
        if _one(form, "refresh_token") != self.refresh_token:
            return 400, {
                "error": "invalid_grant",
                "error_description": "The request has an invalid grant parameter : refresh_token",
            }
        token = "Atza|sim-" + secrets.token_urlsafe(24)
        with self._lock:
            self._tokens.add(token)
        return 200, {"access_token": token, "token_type": "bearer", "expires_in": 3600}

    def _api(self, handler, method, path, query, headers):
        with self._lock:
            authorised = handler.headers.get("x-amz-access-token") in self._tokens
            throttled = bool(authorised and self._throttle)
            retry_after = self._throttle.pop(0) if throttled else None
            failure = (
                self._failures.pop(0) if authorised and not throttled and self._failures else None
            )
        if not authorised:
            return 403, _errors(
                "Unauthorized",
                "Access to requested resource is denied.",
                "The access token you provided is revoked, malformed or invalid.",
            )
        if throttled:
            if retry_after is not None:
                headers["Retry-After"] = str(retry_after)
            return 429, _errors(
                "QuotaExceeded", "You exceeded your quota for the requested resource."
            )
        if failure:
            return failure, _errors(
                "InternalFailure", "We encountered an internal error. Please try again."
            )
        confirmation = CONFIRM_SHIPMENT_RE.match(path) if method == "POST" else None
        if confirmation:
            if self.rate_limit is None:
                headers["x-amzn-RateLimit-Limit"] = str(CONFIRM_SHIPMENT_RATE)
            try:
                return self._confirm_shipment(confirmation.group(1), handler.afk_body)
            except _BadRequest as error:
                return error.status, _errors(error.code, str(error))
        inbound = self._inbound_route(handler, method, path, headers)
        if inbound is not None:
            return inbound
        reports = self._reports_route(handler, method, path, headers)
        if reports is not None:
            return reports
        fulfillment = FULFILLMENT_ORDER_RE.match(path) if method == "GET" else None
        if fulfillment:
            if self.rate_limit is None:
                headers["x-amzn-RateLimit-Limit"] = str(FULFILLMENT_ORDER_RATE)
            return self._get_fulfillment_order(fulfillment.group(1))
        routes = {
            ("GET", ORDERS_PATH): self._search_orders,
            ("GET", PARTICIPATIONS_PATH): self._participations_response,
            ("GET", INVENTORY_PATH): self._inventory_summaries,
        }
        route = routes.get((method, path))
        if route is None:
            return 404, _errors("NotFound", f"Resource not found: {method} {path}")
        try:
            return 200, route(query)
        except _BadRequest as error:
            return error.status, _errors(error.code, str(error))

    # -- pagination tokens -------------------------------------------------------------------

    @staticmethod
    def _fingerprint(query, names):
        key = json.dumps({name: sorted(query.get(name, [])) for name in names}, sort_keys=True)
        return hashlib.sha256(key.encode()).hexdigest()[:16]

    @staticmethod
    def _encode_token(offset, fingerprint):
        raw = json.dumps({"o": offset, "f": fingerprint}).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @staticmethod
    def _decode_token(token, fingerprint, name):
        try:
            padded = token + "=" * (-len(token) % 4)
            data = json.loads(base64.urlsafe_b64decode(padded.encode()))
            offset = int(data["o"])
            valid = data["f"] == fingerprint and offset >= 0
        except (ValueError, KeyError, TypeError):
            valid = False
        if not valid:
            raise _BadRequest(
                f"Invalid {name}: it is malformed, expired, or the other parameters differ "
                "from the request that produced it."
            )
        return offset

    # -- operations --------------------------------------------------------------------------

    def _search_orders(self, query):
        created_after = _one(query, "createdAfter")
        created_before = _one(query, "createdBefore")
        updated_after = _one(query, "lastUpdatedAfter")
        updated_before = _one(query, "lastUpdatedBefore")
        if bool(created_after) == bool(updated_after):
            raise _BadRequest("Exactly one of createdAfter and lastUpdatedAfter must be provided.")
        if created_after and updated_before:
            raise _BadRequest("lastUpdatedBefore may not be provided with createdAfter.")
        if updated_after and created_before:
            raise _BadRequest("createdBefore may not be provided with lastUpdatedAfter.")
        by_update = bool(updated_after)
        field, after_name, before_name = (
            ("lastUpdatedTime", "lastUpdatedAfter", "lastUpdatedBefore")
            if by_update
            else ("createdTime", "createdAfter", "createdBefore")
        )
        after = _parse_time(updated_after or created_after, after_name)
        latest = datetime.datetime.now(datetime.timezone.utc) - MIN_AGE
        before_text = updated_before or created_before
        before = (
            _parse_time(before_text, before_name) if before_text else latest.replace(microsecond=0)
        )
        if before > latest:
            raise _BadRequest(
                f"{before_name} must be at least two minutes before the request time."
            )
        if before < after:
            raise _BadRequest(f"{before_name} must be equal to or after {after_name}.")
        size_text = _one(query, "maxResultsPerPage")
        try:
            size = int(size_text) if size_text is not None else self.page_size
        except ValueError:
            raise _BadRequest("maxResultsPerPage must be an integer between 1 and 100.") from None
        if not 1 <= size <= 100:
            raise _BadRequest("maxResultsPerPage must be an integer between 1 and 100.")
        # Like Amazon, a page may hold fewer orders than asked for: page_size caps it.
        size = min(size, self.page_size)
        statuses = _many(query, "fulfillmentStatuses")
        fulfilled_by = _many(query, "fulfilledBy")
        included = _many(query, "includedData")
        marketplace_ids = _many(query, "marketplaceIds")
        _check_enum(statuses, FULFILLMENT_STATUSES, "fulfillmentStatuses")
        _check_enum(fulfilled_by, FULFILLED_BY, "fulfilledBy")
        _check_enum(included, INCLUDED_DATA, "includedData")
        if len(marketplace_ids) > 50:
            raise _BadRequest("marketplaceIds accepts at most 50 values.")
        fingerprint = self._fingerprint(
            query,
            (
                "createdAfter",
                "createdBefore",
                "lastUpdatedAfter",
                "lastUpdatedBefore",
                "fulfillmentStatuses",
                "marketplaceIds",
                "fulfilledBy",
            ),
        )
        token = _one(query, "paginationToken")
        offset = self._decode_token(token, fingerprint, "paginationToken") if token else 0
        with self._lock:
            orders = copy.deepcopy(self._orders)
        matches = []
        for order in orders:
            moment = _parse_time(order.get(field, ""), field)
            fulfillment = order.get("fulfillment") or {}
            if not after <= moment <= before:
                continue
            if (
                marketplace_ids
                and (order.get("salesChannel") or {}).get("marketplaceId") not in marketplace_ids
            ):
                continue
            if statuses and fulfillment.get("fulfillmentStatus") not in statuses:
                continue
            if fulfilled_by and fulfillment.get("fulfilledBy") not in fulfilled_by:
                continue
            matches.append((moment, order.get("orderId", ""), order))
        matches.sort(key=lambda match: match[:2])
        page = [
            _with_datasets(order, included) for _m, _i, order in matches[offset : offset + size]
        ]
        response = {"orders": page}
        if offset + size < len(matches):
            response["pagination"] = {"nextToken": self._encode_token(offset + size, fingerprint)}
        response[before_name] = iso(before)
        return response

    def _participations_response(self, query):
        with self._lock:
            return {"payload": copy.deepcopy(self._participations)}

    def _inventory_summaries(self, query):
        if _one(query, "granularityType") != "Marketplace":
            raise _BadRequest("granularityType is required and must be Marketplace.")
        granularity_id = _one(query, "granularityId")
        marketplace_ids = _many(query, "marketplaceIds")
        if not granularity_id:
            raise _BadRequest("granularityId is required.")
        if len(marketplace_ids) != 1:
            raise _BadRequest("marketplaceIds is required and accepts exactly one value.")
        details = (_one(query, "details") or "false").lower() == "true"
        skus = _many(query, "sellerSkus") or (
            [_one(query, "sellerSku")] if _one(query, "sellerSku") else []
        )
        start = _one(query, "startDateTime")
        start = _parse_time(start, "startDateTime") if start else None
        fingerprint = self._fingerprint(
            query, ("granularityId", "marketplaceIds", "sellerSkus", "sellerSku", "startDateTime")
        )
        token = _one(query, "nextToken")
        offset = self._decode_token(token, fingerprint, "nextToken") if token else 0
        with self._lock:
            summaries = copy.deepcopy(self._inventory)
        if start:
            summaries = [
                s
                for s in summaries
                if _parse_time(s.get("lastUpdatedTime", ""), "lastUpdatedTime") >= start
            ]
        elif skus:
            summaries = [s for s in summaries if s.get("sellerSku") in skus]
        page = summaries[offset : offset + self.page_size]
        if not details:
            for summary in page:
                summary.pop("inventoryDetails", None)
        response = {
            "payload": {
                "granularity": {"granularityType": "Marketplace", "granularityId": granularity_id},
                "inventorySummaries": page,
            }
        }
        if offset + self.page_size < len(summaries):
            response["pagination"] = {
                "nextToken": self._encode_token(offset + self.page_size, fingerprint)
            }
        return response

    # -- Orders API v0 confirmShipment ---------------------------------------------------------

    def packages(self, order_id):
        """The packages confirmed for an order (``OrderPackage`` of the 2026-01-01 model)."""
        with self._lock:
            for order in self._orders:
                if order.get("orderId") == order_id:
                    return copy.deepcopy(order.get("packages", []))
        return []

    def order_status(self, order_id):
        with self._lock:
            for order in self._orders:
                if order.get("orderId") == order_id:
                    return (order.get("fulfillment") or {}).get("fulfillmentStatus")
        return None

    def _confirm_shipment(self, order_id, body):
        """``confirmShipment``: validate like Amazon, then record the package on the order."""
        try:
            request = json.loads(body or b"null")
        except ValueError:
            raise _BadRequest("The request body is not valid JSON.") from None
        if not isinstance(request, dict):
            raise _BadRequest("The request body must be a ConfirmShipmentRequest object.")
        detail = request.get("packageDetail")
        missing = [name for name in ("marketplaceId", "packageDetail") if not request.get(name)]
        if isinstance(detail, dict):
            missing += [
                f"packageDetail.{name}"
                for name in (
                    "packageReferenceId",
                    "carrierCode",
                    "trackingNumber",
                    "shipDate",
                    "orderItems",
                )
                if detail.get(name) in (None, "", [])
            ]
        elif detail is not None:
            raise _invalid_type("packageDetail")
        if missing:
            raise _BadRequest(f"Missing required field(s): {', '.join(missing)}.")
        wanted = _check_package_detail(detail)
        with self._lock:
            order = next((o for o in self._orders if o.get("orderId") == order_id), None)
            if order is None:
                raise _BadRequest(f"Order {order_id} was not found.", 404, "NotFound")
            self._record_package(order, request, detail, wanted)
        return 204, None

    def _record_package(self, order, request, detail, wanted):
        order_id = order.get("orderId")
        fulfillment = order.setdefault("fulfillment", {})
        marketplace = (order.get("salesChannel") or {}).get("marketplaceId")
        if request["marketplaceId"] != marketplace:
            raise _BadRequest(
                f"marketplaceId {request['marketplaceId']} is not the marketplace of order "
                f"{order_id}."
            )
        if fulfillment.get("fulfilledBy") != "MERCHANT":
            raise _BadRequest(
                f"Order {order_id} is fulfilled by Amazon: only merchant-fulfilled orders can "
                "be confirmed."
            )
        status = fulfillment.get("fulfillmentStatus")
        if status in ("CANCELLED", "PENDING", "PENDING_AVAILABILITY", "UNFULFILLABLE"):
            raise _BadRequest(f"Order {order_id} is {status} and cannot be shipped.")
        now = datetime.datetime.now(datetime.timezone.utc)
        package = {
            "packageReferenceId": detail["packageReferenceId"],
            "createdTime": iso(now),
            "packageStatus": {"status": "SHIPPED"},
            "carrier": detail.get("carrierName") or detail["carrierCode"],
            "shipTime": detail["shipDate"],
            "shippingService": detail.get("shippingMethod"),
            "trackingNumber": detail["trackingNumber"],
            "packageItems": [{"orderItemId": ref, "quantity": q} for ref, q in wanted.items()],
        }
        packages = order.setdefault("packages", [])
        for index, known in enumerate(packages):
            if known["packageReferenceId"] == package["packageReferenceId"]:
                # Amazon: the same packageReferenceId updates that package (carrier, tracking)
                package["packageItems"] = known["packageItems"]
                package["createdTime"] = known["createdTime"]
                packages[index] = package
                return
        if status == "SHIPPED":
            raise _BadRequest(
                "Failed to create package due to not finding a matching package or order "
                f"already fulfilled (PackageToUpdateNotFound, order {order_id})."
            )
        items = {i.get("orderItemId"): i for i in order.get("orderItems", [])}
        for ref, quantity in wanted.items():
            if ref not in items:
                raise _BadRequest(f"Order item {ref} is not part of order {order_id}.")
            left = (items[ref].get("fulfillment") or {}).get(
                "quantityUnfulfilled", items[ref].get("quantityOrdered", 0)
            )
            if quantity > left:
                raise _BadRequest(
                    f"The quantity {quantity} of order item {ref} is more than the {left} "
                    f"unit(s) left to ship on order {order_id}."
                )
        for ref, quantity in wanted.items():
            item_fulfillment = items[ref].setdefault("fulfillment", {})
            ordered = items[ref].get("quantityOrdered", 0)
            done = item_fulfillment.get("quantityFulfilled", 0) + quantity
            item_fulfillment["quantityFulfilled"] = done
            item_fulfillment["quantityUnfulfilled"] = max(0, ordered - done)
        packages.append(package)
        left = sum(
            (i.get("fulfillment") or {}).get("quantityUnfulfilled", 0) for i in items.values()
        )
        fulfillment["fulfillmentStatus"] = "PARTIALLY_SHIPPED" if left else "SHIPPED"
        order["lastUpdatedTime"] = iso(now)

    # -- Fulfillment Outbound API -------------------------------------------------------------

    def _get_fulfillment_order(self, ref):
        """getFulfillmentOrder: the payload in ``{"payload": ...}``, or 404 when unknown (an
        order Amazon has not created yet, or a wrong id)."""
        ref = unquote(ref)
        if len(ref) > 40:
            return 400, _errors("InvalidInput", "sellerFulfillmentOrderId is too long.")
        with self._lock:
            payload = self._fulfillment_orders.get(ref)
        if payload is None:
            return 404, _errors("NotFound", f"Fulfillment order {ref} not found.")
        return 200, {"payload": copy.deepcopy(payload)}

    # -- Reports API ---------------------------------------------------------------------------

    def _reports_route(self, handler, method, path, headers):
        """The answer of a Reports API call, or None when ``path`` is not one."""
        operation = None
        if method == "POST" and path == REPORTS_PATH:
            operation = "createReport"
        elif method == "GET" and REPORT_RE.match(path):
            operation = "getReport"
        elif method == "GET" and REPORT_DOCUMENT_RE.match(path):
            operation = "getReportDocument"
        if operation is None:
            return None
        if self.rate_limit is None:
            headers["x-amzn-RateLimit-Limit"] = str(REPORT_RATES[operation])
        try:
            if operation == "createReport":
                return 202, self._create_report(handler.afk_body)
            if operation == "getReport":
                return self._get_report(REPORT_RE.match(path).group(1))
            return self._get_report_document(REPORT_DOCUMENT_RE.match(path).group(1))
        except _BadRequest as error:
            return error.status, _errors(error.code, str(error))

    def _create_report(self, body):
        try:
            spec = json.loads(body or b"{}")
        except ValueError:
            raise _BadRequest("The request body is not JSON.") from None
        report_type = spec.get("reportType")
        if report_type not in REPORT_COLUMNS:
            raise _BadRequest(f"Invalid reportType {report_type!r}.")
        if not spec.get("marketplaceIds"):
            raise _BadRequest("marketplaceIds is required.")
        with self._lock:
            report_id = str(50000 + len(self._reports) + 1)
            self._reports[report_id] = {
                "reportId": report_id,
                "reportType": report_type,
                "marketplaceIds": spec["marketplaceIds"],
                "dataStartTime": spec.get("dataStartTime"),
                "dataEndTime": spec.get("dataEndTime"),
                "createdTime": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "processingStatus": "IN_QUEUE",
                "_polls": 0,
                "_rows": copy.deepcopy(self._report_rows.get(report_type, [])),
            }
        return {"reportId": report_id}

    def _get_report(self, report_id):
        with self._lock:
            report = self._reports.get(report_id)
            if report is None:
                return 404, _errors("NotFound", f"Report {report_id} not found.")
            report["_polls"] += 1
            polls = report["_polls"]
            if polls <= self.report_polls_until_done:
                report["processingStatus"] = "IN_QUEUE" if polls == 1 else "IN_PROGRESS"
            elif report["reportType"] in self._cancelled_types:
                report["processingStatus"] = "CANCELLED"
            elif report["processingStatus"] != "DONE":
                document_id = f"amzn1.spdoc.1.4.sim.{report_id}"
                self._documents[document_id] = gzip.compress(
                    report_document(report["reportType"], report["_rows"]).encode("utf-8")
                )
                report["processingStatus"] = "DONE"
                report["reportDocumentId"] = document_id
            return 200, {key: value for key, value in report.items() if not key.startswith("_")}

    def _get_report_document(self, document_id):
        with self._lock:
            if document_id not in self._documents:
                return 404, _errors("NotFound", f"Report document {document_id} not found.")
        return 200, {
            "reportDocumentId": document_id,
            "url": f"{self.url}/sim-report-documents/{document_id}",
            "compressionAlgorithm": "GZIP",
        }

    def _serve_document(self, handler, document_id):
        with self._lock:
            data = self._documents.get(document_id)
            self.requests.append(
                {
                    "time": time.time(),
                    "method": "GET",
                    "path": "/sim-report-documents",
                    "params": {},
                    "status": 200 if data is not None else 404,
                }
            )
        if data is None:
            handler.send_response(404)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        handler.send_response(200)
        handler.send_header("Content-Type", "text/plain; charset=UTF-8")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        try:
            handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            _logger.debug("client closed the connection during a report download")

    # -- Fulfillment Inbound API 2024-03-20 ----------------------------------------------------

    def set_inbound_mskus(self, known=None, needs_expiration=()):
        """Which MSKUs are FBA listings (None: any) and which need an expiration date: a plan
        with another MSKU, or one of those without ``expiration``, FAILS with problems."""
        with self._lock:
            self._inbound_known_mskus = set(known) if known is not None else None
            self._inbound_expiring_mskus = set(needs_expiration)

    def inbound_plans(self):
        """``{inboundPlanId: createInboundPlan body}`` of the plans created so far."""
        with self._lock:
            return copy.deepcopy(self._inbound_plans)

    def _inbound_route(self, handler, method, path, headers):
        """The answer of a Fulfillment Inbound call, or None when ``path`` is not one."""
        operation = None
        if method == "POST" and path == INBOUND_PLANS_PATH:
            operation = "createInboundPlan"
        elif method == "GET" and INBOUND_OPERATION_RE.match(path):
            operation = "getInboundOperationStatus"
        if operation is None:
            return None
        if self.rate_limit is None:
            headers["x-amzn-RateLimit-Limit"] = str(INBOUND_RATES[operation])
        try:
            if operation == "createInboundPlan":
                return 202, self._create_inbound_plan(handler.afk_body)
            return self._inbound_operation(INBOUND_OPERATION_RE.match(path).group(1))
        except _BadRequest as error:
            return error.status, _errors(error.code, str(error))

    def _create_inbound_plan(self, body):
        """createInboundPlan: check the body like the model (``CreateInboundPlanRequest``);
        Amazon's problems with the items come later, from the operation (as on Amazon)."""
        try:
            request = json.loads(body or b"null")
        except ValueError:
            raise _BadRequest("The request body is not valid JSON.") from None
        _check_inbound_request(request)
        plan_id = "wf" + str(uuid.uuid4())
        operation_id = str(uuid.uuid4())
        problems = []
        with self._lock:
            for index, item in enumerate(request["items"]):
                msku = item["msku"]
                known = self._inbound_known_mskus
                if known is not None and msku not in known:
                    problems.append(
                        {
                            "code": "FBA_INB_UNKNOWN_MSKU",
                            "message": f"The MSKU {msku} is not an FBA listing in marketplace "
                            f"{request['destinationMarketplaces'][0]}.",
                            "details": f"items[{index}].msku",
                            "severity": "ERROR",
                        }
                    )
                elif msku in self._inbound_expiring_mskus and not item.get("expiration"):
                    problems.append(
                        {
                            "code": "FBA_INB_EXPIRATION_REQUIRED",
                            "message": f"MSKU {msku} requires an expiration date.",
                            "details": f"items[{index}].expiration",
                            "severity": "ERROR",
                        }
                    )
            self._inbound_plans[plan_id] = copy.deepcopy(request)
            self._inbound_operations[operation_id] = {
                "plan": plan_id,
                "polls": 0,
                "problems": problems,
            }
        return {"inboundPlanId": plan_id, "operationId": operation_id}

    def _inbound_operation(self, operation_id):
        if not 36 <= len(operation_id) <= 38 or not INBOUND_ID_RE.match(operation_id):
            raise _BadRequest("The operationId is malformed.", code="BadRequest")
        with self._lock:
            operation = self._inbound_operations.get(operation_id)
            if operation is None:
                return 404, _errors("NotFound", f"Operation {operation_id} not found.")
            operation["polls"] += 1
            problems = operation["problems"]
            if operation["polls"] <= self.inbound_polls_until_done:
                status, shown = "IN_PROGRESS", []
            elif any(p["severity"] == "ERROR" for p in problems):
                status, shown = "FAILED", problems
            else:
                status, shown = "SUCCESS", problems
        return 200, {
            "operationId": operation_id,
            "operation": "createInboundPlan",
            "operationStatus": status,
            "operationProblems": copy.deepcopy(shown),
        }


def _check_inbound_request(request):
    """Refuse (400 InvalidInput) a createInboundPlan body the model does not allow."""
    if not isinstance(request, dict):
        raise _BadRequest("The request body must be a CreateInboundPlanRequest object.")
    unknown = set(request) - {"destinationMarketplaces", "items", "name", "sourceAddress"}
    if unknown:
        raise _BadRequest(f"Unexpected field(s): {', '.join(sorted(unknown))}.")
    missing = [f for f in ("destinationMarketplaces", "items", "sourceAddress") if f not in request]
    if missing:
        raise _BadRequest(f"Missing required field(s): {', '.join(missing)}.")
    marketplaces = request["destinationMarketplaces"]
    if not isinstance(marketplaces, list) or len(marketplaces) != 1:
        raise _BadRequest("destinationMarketplaces must hold exactly one marketplace.")
    if not isinstance(marketplaces[0], str) or not re.match(r"^[A-Z0-9]{1,20}$", marketplaces[0]):
        raise _BadRequest("Invalid destinationMarketplace provided.", code="BadRequest")
    name = request.get("name")
    if name is not None and (not isinstance(name, str) or not 1 <= len(name) <= 40):
        raise _BadRequest("name must be a string of 1 to 40 characters.")
    items = request["items"]
    if not isinstance(items, list) or not 1 <= len(items) <= 2000:
        raise _BadRequest("items must hold 1 to 2000 items.")
    for index, item in enumerate(items):
        _check_inbound_item(index, item)
    _check_inbound_address(request["sourceAddress"])


def _check_inbound_item(index, item):
    where = f"items[{index}]"
    if not isinstance(item, dict):
        raise _BadRequest(f"{where} must be an ItemInput object.")
    unknown = set(item) - set(INBOUND_ITEM_FIELDS)
    if unknown:
        raise _BadRequest(f"{where}: unexpected field(s) {', '.join(sorted(unknown))}.")
    for field in ("msku", "quantity", "labelOwner", "prepOwner"):
        if field not in item:
            raise _BadRequest(f"{where}.{field} is required.")
    msku = item["msku"]
    if not isinstance(msku, str) or not 1 <= len(msku) <= 255:
        raise _BadRequest(f"{where}.msku must be a string of 1 to 255 characters.")
    quantity = item["quantity"]
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= 500000:
        raise _BadRequest(f"{where}.quantity must be an integer from 1 to 500000.")
    for field in ("labelOwner", "prepOwner"):
        if item[field] not in INBOUND_OWNERS:
            raise _BadRequest(f"{where}.{field} must be one of {', '.join(INBOUND_OWNERS)}.")
    lot = item.get("manufacturingLotCode")
    if lot is not None and (not isinstance(lot, str) or not 1 <= len(lot) <= 256):
        raise _BadRequest(f"{where}.manufacturingLotCode must be 1 to 256 characters.")
    expiration = item.get("expiration")
    if expiration is not None and (
        not isinstance(expiration, str) or not INBOUND_EXPIRATION_RE.match(expiration)
    ):
        raise _BadRequest(f"{where}.expiration must be a date YYYY-MM-DD.")


def _check_inbound_address(address):
    if not isinstance(address, dict):
        raise _BadRequest("sourceAddress must be an AddressInput object.")
    for field in INBOUND_ADDRESS_REQUIRED:
        if not address.get(field):
            raise _BadRequest(f"sourceAddress.{field} is required.")
    for field, value in address.items():
        limit = INBOUND_ADDRESS_MAX.get(field)
        if limit is None:
            raise _BadRequest(f"sourceAddress: unexpected field {field}.")
        if not isinstance(value, str) or not 1 <= len(value) <= limit:
            raise _BadRequest(f"sourceAddress.{field} must be 1 to {limit} characters.")
    if not re.match(r"^[A-Z]{2}$", address["countryCode"]):
        raise _BadRequest("sourceAddress.countryCode must be two capital letters.")


def report_document(report_type, rows):
    """A report document in Amazon's layout: the ledger fully quoted, the returns plain."""
    columns = REPORT_COLUMNS[report_type]
    buffer = io.StringIO()
    if report_type == "GET_LEDGER_DETAIL_VIEW_DATA":
        writer = csv.writer(buffer, delimiter="\t", quoting=csv.QUOTE_ALL, lineterminator="\n")
    else:
        writer = csv.writer(
            buffer, delimiter="\t", quoting=csv.QUOTE_NONE, lineterminator="\n", escapechar="\\"
        )
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(name, "") for name in columns])
    return buffer.getvalue()


def _check_package_detail(detail):
    """Validate a ``PackageDetail`` like Amazon; the quantities per order item id."""
    for name in ("packageReferenceId", "carrierCode", "trackingNumber", "shipDate"):
        if not isinstance(detail[name], str):
            raise _invalid_type(f"packageDetail.{name}")
    for name in ("carrierName", "shippingMethod"):
        if name in detail and not isinstance(detail[name], str):
            raise _invalid_type(f"packageDetail.{name}")
    package_ref = detail["packageReferenceId"]
    if not package_ref.isdigit() or int(package_ref) <= 0:
        raise _BadRequest("PackageReferenceId: is invalid, must be a positive numeric value.")
    if detail["carrierCode"] == "Other" and not detail.get("carrierName"):
        raise _BadRequest("carrierName is required when carrierCode is Other.")
    _parse_time(detail["shipDate"], "packageDetail.shipDate")
    if "T" not in detail["shipDate"]:
        raise _BadRequest("packageDetail.shipDate must be an ISO 8601 date-time.")
    items = detail["orderItems"]
    if not isinstance(items, list):
        raise _invalid_type("packageDetail.orderItems")
    wanted = {}
    for index, item in enumerate(items):
        where = f"packageDetail.orderItems[{index}]"
        if not isinstance(item, dict) or not isinstance(item.get("orderItemId"), str):
            raise _invalid_type(f"{where}.orderItemId")
        quantity = item.get("quantity")
        if not isinstance(quantity, int) or isinstance(quantity, bool):
            raise _invalid_type(f"{where}.quantity")
        if quantity <= 0:
            raise _BadRequest(f"{where}.quantity must be a positive integer.")
        wanted[item["orderItemId"]] = wanted.get(item["orderItemId"], 0) + quantity
    return wanted


def _invalid_type(field):
    return _BadRequest(
        "The input you have submitted is not valid. Please check the fields with invalid type "
        f"[{field}]."
    )


def _errors(code, message, details=None):
    error = {"code": code, "message": message}
    if details:
        error["details"] = details
    return {"errors": [error]}


def _with_datasets(order, included):
    """The order as Amazon returns it: only the requested ``includedData`` datasets."""
    dropped = [key for name, keys in ORDER_DATASETS.items() if name not in included for key in keys]
    dropped_items = [
        key for name, keys in ITEM_DATASETS.items() if name not in included for key in keys
    ]
    result = {key: value for key, value in order.items() if key not in dropped}
    result["orderItems"] = [
        {key: value for key, value in item.items() if key not in dropped_items}
        if isinstance(item, dict)
        else item
        for item in order.get("orderItems", [])
    ]
    return result


def _load_list(path, key):
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    return data.get(key, []) if isinstance(data, dict) else data


def main(argv=None):
    parser = argparse.ArgumentParser(description="Serve a local SP-API simulator until Ctrl-C.")
    parser.add_argument("--orders", help="JSON file: a list of orders, or {'orders': [...]}")
    parser.add_argument("--inventory", help="JSON file: a list of FBA inventory summaries")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--rate-limit", type=float, default=None)
    parser.add_argument("--client-id", default="fake-client-id")
    parser.add_argument("--client-secret", default="fake-client-secret")
    parser.add_argument("--refresh-token", default="Atzr|fake-refresh-token")
    args = parser.parse_args(argv)
    simulator = SpApiSimulator(
        orders=_load_list(args.orders, "orders") if args.orders else (),
        inventory=_load_list(args.inventory, "inventorySummaries") if args.inventory else (),
        client_id=args.client_id,
        client_secret=args.client_secret,
        refresh_token=args.refresh_token,
        page_size=args.page_size,
        rate_limit=args.rate_limit,
        host=args.host,
        port=args.port,
    )
    with simulator:
        sys.stdout.write(f"SP-API simulator listening on {simulator.url}\n")
        sys.stdout.write(f"LWA token URL: {simulator.lwa_url}\n")
        sys.stdout.flush()
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            sys.stdout.write("stopped\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
