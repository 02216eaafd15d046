"""SP-API constants, taken from Amazon's models (shared/spapi-models) and developer guide."""

import datetime
from enum import Enum


class FulfillmentStatus(str, Enum):
    """``FulfillmentStatus`` of the Orders API 2026-01-01 model."""

    PENDING_AVAILABILITY = "PENDING_AVAILABILITY"
    PENDING = "PENDING"
    UNSHIPPED = "UNSHIPPED"
    PARTIALLY_SHIPPED = "PARTIALLY_SHIPPED"
    SHIPPED = "SHIPPED"
    CANCELLED = "CANCELLED"
    UNFULFILLABLE = "UNFULFILLABLE"


FULFILLMENT_STATUSES = tuple(status.value for status in FulfillmentStatus)

# ``fulfillment.fulfilledBy``: who ships the order.
FULFILLED_BY_AMAZON = "AMAZON"  # FBA
FULFILLED_BY_MERCHANT = "MERCHANT"  # FBM
FULFILLED_BY = (FULFILLED_BY_AMAZON, FULFILLED_BY_MERCHANT)

# Operation names, used as rate-limit keys.
OP_SEARCH_ORDERS = "searchOrders"
OP_MARKETPLACE_PARTICIPATIONS = "getMarketplaceParticipations"
OP_INVENTORY_SUMMARIES = "getInventorySummaries"
OP_CONFIRM_SHIPMENT = "confirmShipment"

# Documented default usage plans (requests per second, burst). Amazon may grant more: the
# ``x-amzn-RateLimit-Limit`` response header gives the actual rate.
SEARCH_ORDERS_RATE = 0.0056
SEARCH_ORDERS_BURST = 20
MARKETPLACE_PARTICIPATIONS_RATE = 0.016
MARKETPLACE_PARTICIPATIONS_BURST = 15
INVENTORY_SUMMARIES_RATE = 2.0
INVENTORY_SUMMARIES_BURST = 2
CONFIRM_SHIPMENT_RATE = 2.0  # Orders API v0 confirmShipment
CONFIRM_SHIPMENT_BURST = 10

RATE_LIMITS = {
    OP_SEARCH_ORDERS: (SEARCH_ORDERS_RATE, SEARCH_ORDERS_BURST),
    OP_MARKETPLACE_PARTICIPATIONS: (
        MARKETPLACE_PARTICIPATIONS_RATE,
        MARKETPLACE_PARTICIPATIONS_BURST,
    ),
    OP_INVENTORY_SUMMARIES: (INVENTORY_SUMMARIES_RATE, INVENTORY_SUMMARIES_BURST),
    OP_CONFIRM_SHIPMENT: (CONFIRM_SHIPMENT_RATE, CONFIRM_SHIPMENT_BURST),
}

RATE_LIMIT_HEADER = "x-amzn-RateLimit-Limit"
REQUEST_ID_HEADER = "x-amzn-RequestId"

DEFAULT_TIMEOUT = 30.0  # seconds, every HTTP call (SP-API and Login with Amazon)
MAX_THROTTLE_RETRIES = 3  # retries after a 429 before giving up with AmazonThrottledError

# Re-read this much before the last sync's upper bound: orders updated right at the boundary
# (or whose update Amazon recorded late) are fetched again; the apply step is idempotent.
ORDERS_OVERLAP_MINUTES = 10
ORDERS_OVERLAP = datetime.timedelta(minutes=ORDERS_OVERLAP_MINUTES)
# Amazon: lastUpdatedBefore / createdBefore must be at least two minutes before the request;
# we stay a minute further back so a server clock ahead of Amazon's is not refused (400).
ORDERS_MIN_AGE_MINUTES = 3  # Amazon asks for at least 2: keep a margin for clock skew
ORDERS_MIN_AGE = datetime.timedelta(minutes=ORDERS_MIN_AGE_MINUTES)
ORDERS_MAX_PAGE_SIZE = 100

# searchOrders ``includedData``: the datasets mapping reads (enum of the 2026-01-01 model).
INCLUDED_DATA = ("BUYER", "RECIPIENT", "PROCEEDS", "PROMOTION", "FULFILLMENT", "TAX")
INCLUDED_DATA_ALL = (
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

REGIONS = ("na", "eu", "fe")
# Region -> SP-API base URL (production).
REGION_ENDPOINTS = {
    "na": "https://sellingpartnerapi-na.amazon.com",
    "eu": "https://sellingpartnerapi-eu.amazon.com",
    "fe": "https://sellingpartnerapi-fe.amazon.com",
}
# Region -> Login with Amazon token URL. Amazon's SP-API guide uses api.amazon.com for all.
LWA_ENDPOINTS = {
    "na": "https://api.amazon.com/auth/o2/token",
    "eu": "https://api.amazon.com/auth/o2/token",
    "fe": "https://api.amazon.com/auth/o2/token",
}
LWA_TOKEN_PATH = "/auth/o2/token"

# Marketplace country code -> (site, country), for readable marketplace names.
MARKETPLACE_SITES = {
    "AE": ("Amazon.ae", "United Arab Emirates"),
    "AU": ("Amazon.com.au", "Australia"),
    "BE": ("Amazon.com.be", "Belgium"),
    "BR": ("Amazon.com.br", "Brazil"),
    "CA": ("Amazon.ca", "Canada"),
    "DE": ("Amazon.de", "Germany"),
    "EG": ("Amazon.eg", "Egypt"),
    "ES": ("Amazon.es", "Spain"),
    "FR": ("Amazon.fr", "France"),
    "GB": ("Amazon.co.uk", "United Kingdom"),
    "IE": ("Amazon.ie", "Ireland"),
    "IN": ("Amazon.in", "India"),
    "IT": ("Amazon.it", "Italy"),
    "JP": ("Amazon.co.jp", "Japan"),
    "MX": ("Amazon.com.mx", "Mexico"),
    "NL": ("Amazon.nl", "Netherlands"),
    "PL": ("Amazon.pl", "Poland"),
    "SA": ("Amazon.sa", "Saudi Arabia"),
    "SE": ("Amazon.se", "Sweden"),
    "SG": ("Amazon.sg", "Singapore"),
    "TR": ("Amazon.com.tr", "Turkey"),
    "US": ("Amazon.com", "United States"),
    "ZA": ("Amazon.co.za", "South Africa"),
}

# Where credentials may go without an administrator's override (https only, default port):
# Amazon's SP-API hosts (production and sandbox) and Login with Amazon's token hosts.
ENDPOINT_SP_API = "sp_api"
ENDPOINT_LWA = "lwa"
AMAZON_HOSTS = {
    ENDPOINT_SP_API: frozenset(
        host
        for region in REGIONS
        for host in (
            f"sellingpartnerapi-{region}.amazon.com",
            f"sandbox.sellingpartnerapi-{region}.amazon.com",
        )
    ),
    ENDPOINT_LWA: frozenset({"api.amazon.com", "api.amazon.co.uk", "api.amazon.co.jp"}),
}
ENDPOINT_LABELS = {ENDPOINT_SP_API: "SP-API endpoint", ENDPOINT_LWA: "LWA endpoint"}
# Marketplaces whose prices exclude sales tax (added at checkout); every other marketplace's
# prices include VAT/GST. Used only when an item's proceeds do not show it by their arithmetic.
TAX_EXCLUSIVE_MARKETPLACES = {
    "ATVPDKIKX0DER": "US",
    "A2EUQ1WTGCTBG2": "CA",
}

# Reports API 2021-06-30 (FBA inventory ledger, customer returns): operations and documented
# usage plans (requests per second, burst), from shared/spapi-models/reports_2021-06-30.json.
OP_CREATE_REPORT = "createReport"
OP_GET_REPORT = "getReport"
OP_GET_REPORT_DOCUMENT = "getReportDocument"
CREATE_REPORT_RATE = 0.0167
CREATE_REPORT_BURST = 15
GET_REPORT_RATE = 2.0
GET_REPORT_BURST = 15
GET_REPORT_DOCUMENT_RATE = 0.0167
GET_REPORT_DOCUMENT_BURST = 15
RATE_LIMITS.update(
    {
        OP_CREATE_REPORT: (CREATE_REPORT_RATE, CREATE_REPORT_BURST),
        OP_GET_REPORT: (GET_REPORT_RATE, GET_REPORT_BURST),
        OP_GET_REPORT_DOCUMENT: (GET_REPORT_DOCUMENT_RATE, GET_REPORT_DOCUMENT_BURST),
    }
)
REPORT_DOCUMENT_MAX_BYTES = 512 * 1024 * 1024  # refuse a larger download (compressed or not)

# Fulfillment Inbound API 2024-03-20 (inbound plans with lots and expiry): operations and
# documented usage plans (requests per second, burst), from the "Usage Plan" tables of
# shared/spapi-models/fulfillmentInbound_2024-03-20.json.
OP_CREATE_INBOUND_PLAN = "createInboundPlan"
OP_GET_INBOUND_OPERATION_STATUS = "getInboundOperationStatus"
CREATE_INBOUND_PLAN_RATE = 2.0
CREATE_INBOUND_PLAN_BURST = 2
GET_INBOUND_OPERATION_STATUS_RATE = 2.0
GET_INBOUND_OPERATION_STATUS_BURST = 6
RATE_LIMITS.update(
    {
        OP_CREATE_INBOUND_PLAN: (CREATE_INBOUND_PLAN_RATE, CREATE_INBOUND_PLAN_BURST),
        OP_GET_INBOUND_OPERATION_STATUS: (
            GET_INBOUND_OPERATION_STATUS_RATE,
            GET_INBOUND_OPERATION_STATUS_BURST,
        ),
    }
)

# Fulfillment Outbound API 2020-07-01 (Multi-Channel Fulfilment) getFulfillmentOrder: the lot
# codes and serial numbers Amazon shipped; usage plan from fulfillmentOutbound_2020-07-01.json.
OP_GET_FULFILLMENT_ORDER = "getFulfillmentOrder"
GET_FULFILLMENT_ORDER_RATE = 2.0
GET_FULFILLMENT_ORDER_BURST = 30
RATE_LIMITS[OP_GET_FULFILLMENT_ORDER] = (GET_FULFILLMENT_ORDER_RATE, GET_FULFILLMENT_ORDER_BURST)
