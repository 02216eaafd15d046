"""The only module of the addon that imports ``sp_api`` (python-amazon-sp-api).

It builds the library's clients lazily, points them at Amazon or at an override URL (a sandbox or
the local simulator; plain ``http://`` to loopback only, see :func:`check_endpoint`), passes
credentials only as a dict (never from the environment or config files), applies a timeout to
every call (SP-API and Login with Amazon), paces requests with token buckets (:mod:`.ratelimit`),
retries 429s a few times without hammering, and turns every failure into the exceptions of
:mod:`.exceptions` with messages a seller understands and that never contain a secret.
"""

import datetime
import email.utils
import hashlib
import ipaddress
import logging
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx
from sp_api.api import (
    FulfillmentInboundV20240320,
    FulfillmentOutbound,
    Inventories,
    OrdersV0,
    OrdersV20260101,
    ReportsV2,
    Sellers,
)
from sp_api.auth import AccessTokenClient
from sp_api.auth.exceptions import AuthorizationError
from sp_api.base import Marketplaces
from sp_api.base._transport_httpx import HttpxTransport
from sp_api.base.credential_provider import FromCodeCredentialProvider, MissingCredentials
from sp_api.base.exceptions import (
    SellingApiException,
    SellingApiRequestThrottledException,
    get_exception_for_code,
)

from . import const, fulfillment_inbound, ratelimit, reports
from .exceptions import (
    AmazonAuthError,
    AmazonBudgetExhausted,
    AmazonEndpointRefused,
    AmazonError,
    AmazonMappingError,
    AmazonPermanentError,
    AmazonRetryableError,
    AmazonThrottledError,
)

_logger = logging.getLogger(__name__)

_CHECK_CREDENTIALS = (
    "check the LWA client id, the LWA client secret and the refresh token of the account, "
    "and its region and endpoints"
)


def _region_of_endpoint(endpoint):
    host = urlsplit(endpoint).hostname or ""
    for region in const.REGIONS:
        if host.endswith(f"-{region}.amazon.com"):
            return region
    raise ValueError(f"unknown SP-API endpoint {endpoint}")


def marketplaces():
    """Every marketplace python-amazon-sp-api knows (aliases such as UK = GB listed once)."""
    result = []
    for marketplace in Marketplaces:
        site, country = const.MARKETPLACE_SITES.get(marketplace.name, (None, None))
        result.append(
            {
                "api_ref": marketplace.marketplace_id,
                "code": marketplace.name,
                "name": f"{site} ({country})" if site else f"Amazon {marketplace.name}",
                "region": _region_of_endpoint(marketplace.endpoint),
            }
        )
    return result


_REGION_MARKETPLACE = {"na": Marketplaces.US, "eu": Marketplaces.DE, "fe": Marketplaces.JP}


@dataclass(frozen=True)
class OrdersPage:
    orders: list
    next_token: str | None
    last_updated_before: str | None
    created_before: str | None


@dataclass(frozen=True)
class InventoryPage:
    summaries: list
    next_token: str | None


class _ResponseHook:
    """Sees every HTTP response of an ``sp_api`` client before the library parses it.

    The library raises only when the body carries an ``errors`` list; a bare 500 or 502 would
    pass as an empty success. Here any status >= 400 raises the library's exception for it,
    with the real status in ``status_code``.
    """

    afk_on_response = None

    def _check_response(self, res, res_no_data=False, bulk=False, wrap_list=False):
        if self.afk_on_response is not None:
            self.afk_on_response(res)
        if res.status_code >= 400:
            try:
                body = res.json()
            except ValueError:
                body = None
            errors = body.get("errors") if isinstance(body, dict) else None
            if not errors or not isinstance(errors, list):
                errors = [{"code": f"HTTP{res.status_code}", "message": res.reason_phrase}]
            error = get_exception_for_code(res.status_code)(errors, headers=res.headers)
            error.status_code = res.status_code
            raise error
        if b'"errors"' in res.content:
            _raise_errors_of_success(res)
        return super()._check_response(res, res_no_data, bulk, wrap_list)


def _raise_errors_of_success(res):
    """A 2xx response whose body carries ``errors``: Amazon's own message, not "HTTP 999"."""
    try:
        body = res.json()
    except ValueError:
        return
    errors = body.get("errors") if isinstance(body, dict) else None
    if not errors or not isinstance(errors, list):
        return
    entries = [error for error in errors if isinstance(error, dict)]
    text = "; ".join(
        ": ".join(str(part) for part in (e.get("code"), e.get("message"), e.get("details")) if part)
        for e in entries
    )
    raise AmazonPermanentError(
        f"Amazon answered with an error: {text or errors!r}",
        status=res.status_code,
        code=entries[0].get("code") if entries else None,
    )


class _OrdersClient(_ResponseHook, OrdersV20260101):
    pass


class _SellersClient(_ResponseHook, Sellers):
    pass


class _InventoriesClient(_ResponseHook, Inventories):
    pass


class _OrdersV0Client(_ResponseHook, OrdersV0):
    pass


class _ReportsClient(_ResponseHook, ReportsV2):
    pass


class _InboundClient(_ResponseHook, FulfillmentInboundV20240320):
    """The library adds ``marketplaceIds`` to every POST body and GET query unless present:
    the inbound API names its marketplace in ``destinationMarketplaces`` and takes no such
    parameter, so nothing is added."""

    def _request(self, path, **kwargs):
        kwargs["add_marketplace"] = False
        return super()._request(path, **kwargs)


class _FulfillmentOutboundClient(_ResponseHook, FulfillmentOutbound):
    pass


def _token_client_class(lwa_url, timeout):
    """An ``AccessTokenClient`` for this LWA URL, with a timeout and a credential-keyed cache."""
    parts = urlsplit(lwa_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("the LWA endpoint must be an http:// or https:// URL")
    token_path = parts.path if parts.path not in ("", "/") else const.LWA_TOKEN_PATH
    full_url = f"{parts.scheme}://{parts.netloc}{token_path}"

    class TokenClient(AccessTokenClient):
        scheme = f"{parts.scheme}://"
        host = parts.netloc
        path = token_path

        def __init__(self, refresh_token=None, credentials=None, proxies=None, verify=True):
            super().__init__(refresh_token, credentials, proxies, verify)
            self._transport.close()
            self._transport = HttpxTransport(timeout=timeout, proxies=proxies, verify=verify)

        def _request(self, url, data, headers):
            response = self._transport.request("POST", url, data=data, headers=headers)
            try:
                body = response.json()
            except ValueError:
                body = None
            if response.status_code != 200 or not isinstance(body, dict):
                body = body if isinstance(body, dict) else {}
                raise AuthorizationError(
                    body.get("error") or "invalid_response",
                    body.get("error_description"),
                    response.status_code,
                )
            return body

        def _get_cache_key(self, token_flavor=""):
            # The library keys its process-wide token cache by refresh token only: right
            # credentials followed by a wrong secret would "succeed" from the cache.
            secrets_digest = hashlib.sha256(
                f"{self.cred.client_secret}\0{self.cred.refresh_token}".encode()
            ).hexdigest()
            key = f"{full_url}\0{self.cred.client_id}\0{secrets_digest}\0{token_flavor}"
            return "afk_access_token_" + hashlib.sha256(key.encode()).hexdigest()

    return TokenClient


def _iso(value):
    """A datetime (naive = UTC) or ISO string as Amazon's ``2025-01-01T00:00:00Z``."""
    if value is None or isinstance(value, str):
        return value
    if value.tzinfo is not None:
        value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return value.replace(microsecond=0).isoformat() + "Z"


def _retry_after(headers):
    """Seconds of a ``Retry-After`` header (delta-seconds or HTTP date), or None."""
    value = (headers or {}).get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        _logger.debug("Retry-After is an HTTP date: %s", value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    now = datetime.datetime.now(datetime.timezone.utc)
    return max(0.0, (moment - now).total_seconds())


class SpApiAdapter:
    """One Amazon seller account's access to SP-API.

    ``deadline`` is a ``clock()`` value after which no new request starts: when the rate limit
    would make us wait past it, :class:`AmazonBudgetExhausted` is raised instead of sleeping.
    ``max_wait`` caps any single wait for a rate-limit token: a job must not hold a database
    transaction (and a cron worker) for minutes; it stops, and comes back when the quota allows
    (:attr:`AmazonBudgetExhausted.retry_in`). None waits as long as the deadline allows.
    An adapter is meant for one thread at a time (one sync run); its rate-limit buckets are
    shared process-wide through :func:`.ratelimit.bucket_for`.
    """

    def __init__(
        self,
        *,
        region,
        refresh_token,
        lwa_client_id,
        lwa_client_secret,
        api_endpoint=None,
        lwa_endpoint=None,
        seller_key=None,
        timeout=const.DEFAULT_TIMEOUT,
        deadline=None,
        sleep=time.sleep,
        clock=time.monotonic,
        label=None,
        max_throttle_retries=const.MAX_THROTTLE_RETRIES,
        max_wait=None,
        allow_custom_https=False,
    ):
        if region not in const.REGIONS:
            raise ValueError(f"region must be one of {', '.join(const.REGIONS)}, not {region!r}")
        self.region = region
        self.label = label or "this Amazon account"
        self.timeout = timeout
        self.deadline = deadline
        self.max_throttle_retries = max_throttle_retries
        self.max_wait = max_wait
        self._sleep = sleep
        self._clock = clock
        self._refresh_token = refresh_token
        self._credentials = {
            "lwa_app_id": lwa_client_id,
            "lwa_client_secret": lwa_client_secret,
            "refresh_token": refresh_token,
        }
        # Credentials (and access tokens) go only to Amazon's hosts over https, to this machine
        # over http (the simulator), or to an https host the caller vouches an administrator
        # entered (``allow_custom_https``): checked here, before any client exists.
        self.api_endpoint = check_endpoint(
            api_endpoint or const.REGION_ENDPOINTS[region],
            const.ENDPOINT_SP_API,
            allow_custom_https=allow_custom_https,
            label=self.label,
        ).rstrip("/")
        self.lwa_endpoint = check_endpoint(
            lwa_endpoint or const.LWA_ENDPOINTS[region],
            const.ENDPOINT_LWA,
            allow_custom_https=allow_custom_https,
            label=self.label,
        )
        if urlsplit(self.api_endpoint).scheme not in ("http", "https"):
            raise ValueError("the SP-API endpoint must be an http:// or https:// URL")
        self._token_client = _token_client_class(self.lwa_endpoint, timeout)
        self.seller_key = (
            seller_key
            or hashlib.sha256(f"{self.api_endpoint}\0{refresh_token}".encode()).hexdigest()[:16]
        )
        self._clients = {}

    def __repr__(self):
        return f"<SpApiAdapter {self.region} {self.api_endpoint} seller_key={self.seller_key}>"

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def close(self):
        for client in self._clients.values():
            client.close()
            client._auth._transport.close()
        self._clients.clear()

    # -- plumbing ---------------------------------------------------------------------------

    def _client(self, client_class):
        client = self._clients.get(client_class)
        if client is None:
            try:
                client = client_class(
                    _REGION_MARKETPLACE[self.region],
                    refresh_token=self._refresh_token,
                    credentials=dict(self._credentials),
                    timeout=self.timeout,
                    credential_providers=(FromCodeCredentialProvider,),
                    auth_token_client_class=self._token_client,
                )
            except MissingCredentials:
                raise AmazonAuthError(
                    f"The credentials of {self.label} are incomplete: {_CHECK_CREDENTIALS}."
                ) from None
            client.endpoint = self.api_endpoint
            self._clients[client_class] = client
        return client

    def bucket(self, operation):
        rate, burst = const.RATE_LIMITS[operation]
        return ratelimit.bucket_for((self.seller_key, operation), rate, burst, clock=self._clock)

    def _wait_for_token(self, bucket, operation):
        wait = bucket.wait_time()
        if self.max_wait is not None and wait > self.max_wait:
            raise AmazonBudgetExhausted(
                f"Stopped before calling Amazon ({operation}) for {self.label}: its rate limit "
                f"asks to wait {wait:.0f} s. The next run resumes then.",
                retry_in=wait,
            )
        if self.deadline is not None and self._clock() + wait > self.deadline:
            raise AmazonBudgetExhausted(
                f"Stopped before calling Amazon ({operation}) for {self.label}: its rate limit "
                f"asks to wait {wait:.0f} s, beyond this run's time budget. The next run resumes.",
                retry_in=wait,
            )
        if wait > 0:
            self._sleep(wait)
        bucket.take()

    def _call(self, operation, client_class, method_name, **params):
        client = self._client(client_class)
        bucket = self.bucket(operation)

        def observe(response):
            limit = response.headers.get(const.RATE_LIMIT_HEADER)
            if limit:
                bucket.set_rate(limit)

        client.afk_on_response = observe
        throttles = 0
        while True:
            self._wait_for_token(bucket, operation)
            try:
                return getattr(client, method_name)(**params)
            except SellingApiRequestThrottledException as error:
                throttles += 1
                retry_after = _retry_after(error.headers)
                bucket.drain()
                if retry_after:
                    bucket.hold(retry_after)
                _logger.info(
                    "Amazon throttled %s for %s (attempt %s)", operation, self.seller_key, throttles
                )
                if throttles > self.max_throttle_retries:
                    raise AmazonThrottledError(
                        f"Amazon kept refusing {operation} for {self.label} as too frequent "
                        f"(HTTP 429, {throttles} times): the quota is used up for now; the next "
                        "run resumes.",
                        retry_after=retry_after,
                    ) from None
            except Exception as error:
                translated = self._translate(error, operation)
                if translated is None:
                    raise
                raise translated from None

    def _translate(self, error, operation):
        """Our exception for a library/transport failure, or None to let it through."""
        if isinstance(error, AmazonError):
            return error
        if isinstance(error, AuthorizationError):
            status = error.status_code
            if status == 429 or (status or 0) >= 500:
                return AmazonRetryableError(
                    f"Login with Amazon is unavailable (HTTP {status}) for {self.label}: "
                    "try again later."
                )
            return AmazonAuthError(
                f"Login with Amazon refused the credentials of {self.label} "
                f"(HTTP {status}, {error.error_code}): {_CHECK_CREDENTIALS}.",
                status=status,
                code=error.error_code,
            )
        if isinstance(error, MissingCredentials):
            return AmazonAuthError(
                f"The credentials of {self.label} are incomplete: {_CHECK_CREDENTIALS}."
            )
        if isinstance(error, SellingApiException):
            return self._translate_api_error(error, operation)
        if isinstance(error, httpx.TimeoutException):
            return AmazonRetryableError(
                f"Amazon did not answer {operation} for {self.label} within {self.timeout:g} s: "
                "try again later."
            )
        if isinstance(error, httpx.HTTPError):
            return AmazonRetryableError(
                f"Could not reach Amazon ({type(error).__name__}) for {self.label}: check the "
                "network and the account's endpoints, then try again."
            )
        return None

    def _translate_api_error(self, error, operation):
        status = getattr(error, "status_code", None) or error.code
        code = getattr(error, "amzn_code", None)
        detail = getattr(error, "message", None)
        what = f"HTTP {status}" + (f", {code}" if code else "") + (f": {detail}" if detail else "")
        if status in (401, 403):
            return AmazonAuthError(
                f"Amazon refused access to {operation} for {self.label} ({what}): check that the "
                "refresh token was issued to this app by this seller, that the app has the role "
                "this API needs, and the account's region and endpoints.",
                status=status,
                code=code,
            )
        if status == 429 or status >= 500:
            return AmazonRetryableError(
                f"Amazon could not serve {operation} for {self.label} ({what}): try again later."
            )
        return AmazonPermanentError(
            f"Amazon rejected the {operation} request for {self.label} ({what}).",
            status=status,
            code=code,
        )

    # -- operations -------------------------------------------------------------------------

    def get_marketplace_participations(self):
        """Sellers API getMarketplaceParticipations: the raw participation dicts."""
        response = self._call(
            const.OP_MARKETPLACE_PARTICIPATIONS, _SellersClient, "get_marketplace_participation"
        )
        payload = response.payload
        if not isinstance(payload, list):
            raise AmazonMappingError(
                "Amazon sent a malformed payload: field payload must be a list.", field="payload"
            )
        return payload

    def search_orders_page(
        self,
        *,
        marketplace_ids,
        last_updated_after=None,
        last_updated_before=None,
        created_after=None,
        page_token=None,
        max_results=const.ORDERS_MAX_PAGE_SIZE,
        created_before=None,
        fulfilled_by=None,
    ):
        """One page of Orders API 2026-01-01 searchOrders, items inline.

        With ``page_token``, pass the same filters as for the first page (Amazon requires it).
        """
        params = {
            "marketplaceIds": list(marketplace_ids),
            "includedData": list(const.INCLUDED_DATA),
            "maxResultsPerPage": max_results,
        }
        optional = {
            "lastUpdatedAfter": _iso(last_updated_after),
            "lastUpdatedBefore": _iso(last_updated_before),
            "createdAfter": _iso(created_after),
            "createdBefore": _iso(created_before),
            "fulfilledBy": list(fulfilled_by) if fulfilled_by else None,
            "paginationToken": page_token,
        }
        params.update({key: value for key, value in optional.items() if value is not None})
        response = self._call(const.OP_SEARCH_ORDERS, _OrdersClient, "search_orders", **params)
        payload = response.payload if isinstance(response.payload, dict) else {}
        orders = payload.get("orders")
        if not isinstance(orders, list):
            raise AmazonMappingError(
                "Amazon sent a malformed payload: field orders must be a list.", field="orders"
            )
        return OrdersPage(
            orders=orders,
            next_token=(response.pagination or {}).get("nextToken") or None,
            last_updated_before=payload.get("lastUpdatedBefore"),
            created_before=payload.get("createdBefore"),
        )

    def iter_order_pages(
        self,
        *,
        marketplace_ids,
        last_updated_after,
        last_updated_before=None,
        page_token=None,
        max_results=const.ORDERS_MAX_PAGE_SIZE,
    ) -> Iterator[OrdersPage]:
        """searchOrders by last update, following ``nextToken`` until the last page."""
        while True:
            page = self.search_orders_page(
                marketplace_ids=marketplace_ids,
                last_updated_after=last_updated_after,
                last_updated_before=last_updated_before,
                page_token=page_token,
                max_results=max_results,
            )
            yield page
            if not page.next_token:
                return
            page_token = page.next_token

    def inventory_page(self, *, marketplace_id, page_token=None):
        """One page of FBA Inventory getInventorySummaries (details, marketplace granularity)."""
        params = {
            "details": True,
            "granularityType": "Marketplace",
            "granularityId": marketplace_id,
            "marketplaceIds": marketplace_id,
        }
        if page_token:
            params["nextToken"] = page_token
        response = self._call(
            const.OP_INVENTORY_SUMMARIES,
            _InventoriesClient,
            "get_inventory_summary_marketplace",
            **params,
        )
        payload = response.payload if isinstance(response.payload, dict) else {}
        summaries = payload.get("inventorySummaries")
        if not isinstance(summaries, list):
            raise AmazonMappingError(
                "Amazon sent a malformed payload: field payload.inventorySummaries must be a list.",
                field="payload.inventorySummaries",
            )
        return InventoryPage(
            summaries=summaries,
            next_token=(response.pagination or {}).get("nextToken") or None,
        )

    def iter_inventory_pages(self, *, marketplace_id, page_token=None) -> Iterator[InventoryPage]:
        """getInventorySummaries pages of one marketplace, following ``nextToken``."""
        while True:
            page = self.inventory_page(marketplace_id=marketplace_id, page_token=page_token)
            yield page
            if not page.next_token:
                return
            page_token = page.next_token

    def confirm_shipment(self, order_id, body):
        """Orders API v0 confirmShipment of one package (body: see :mod:`.orders_v0`).

        Amazon answers 204 without content; a refusal raises :class:`AmazonPermanentError`
        (its message carries Amazon's code and message), a transient failure
        :class:`AmazonRetryableError`.
        """
        self._call(
            const.OP_CONFIRM_SHIPMENT,
            _OrdersV0Client,
            "confirm_shipment",
            order_id=order_id,
            **body,
        )

    # -- Reports API 2021-06-30 (see :mod:`.reports` for the documents) ---------------------

    def create_report(self, *, report_type, marketplace_ids, start=None, end=None, options=None):
        """createReport: Amazon's ``reportId`` of the report requested."""
        body = {"reportType": report_type, "marketplaceIds": list(marketplace_ids)}
        if start is not None:
            body["dataStartTime"] = _iso(start)
        if end is not None:
            body["dataEndTime"] = _iso(end)
        if options:
            body["reportOptions"] = dict(options)
        response = self._call(const.OP_CREATE_REPORT, _ReportsClient, "create_report", **body)
        payload = response.payload if isinstance(response.payload, dict) else {}
        report_id = payload.get("reportId")
        if not report_id or not isinstance(report_id, str):
            raise AmazonMappingError(
                "Amazon sent a malformed payload: field reportId must be a string.",
                field="reportId",
            )
        return report_id

    def get_report(self, report_id):
        """getReport: the Report dict (``processingStatus``, ``reportDocumentId``...)."""
        response = self._call(const.OP_GET_REPORT, _ReportsClient, "get_report", reportId=report_id)
        payload = response.payload
        if not isinstance(payload, dict) or not payload.get("processingStatus"):
            raise AmazonMappingError(
                "Amazon sent a malformed payload: field processingStatus is missing.",
                field="processingStatus",
            )
        return payload

    def get_report_document(self, document_id):
        """getReportDocument, then the document itself: ``(bytes, charset or None)``.

        The document's URL is presigned (no access token goes there): it is downloaded with a
        plain httpx client and this adapter's timeout, then gunzipped when Amazon says
        ``compressionAlgorithm: GZIP``.
        """
        response = self._call(
            const.OP_GET_REPORT_DOCUMENT,
            _ReportsClient,
            "get_report_document",
            reportDocumentId=document_id,
        )
        payload = response.payload if isinstance(response.payload, dict) else {}
        url = payload.get("url")
        if not url or not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https"):
            raise AmazonMappingError(
                "Amazon sent a malformed payload: field url must be an http(s) URL.", field="url"
            )
        try:
            with httpx.Client(timeout=self.timeout, follow_redirects=True) as client:
                download = client.get(url)
        except httpx.TimeoutException:
            raise AmazonRetryableError(
                f"The report document of {self.label} did not download within "
                f"{self.timeout:g} s: try again later."
            ) from None
        except httpx.HTTPError as error:
            raise AmazonRetryableError(
                f"Could not download the report document of {self.label} "
                f"({type(error).__name__}): try again later."
            ) from None
        if download.status_code != 200:
            raise AmazonRetryableError(
                f"The report document of {self.label} could not be downloaded (HTTP "
                f"{download.status_code}); its link may have expired: the next run asks again."
            )
        content = download.content
        if len(content) > const.REPORT_DOCUMENT_MAX_BYTES:
            raise AmazonPermanentError(
                f"The report document of {self.label} is larger than "
                f"{const.REPORT_DOCUMENT_MAX_BYTES} bytes: request a shorter period."
            )
        try:
            content = reports.decompress(content, payload.get("compressionAlgorithm"))
        except ValueError as error:
            raise AmazonMappingError(
                f"The report document of {self.label} is unreadable: {error}.", field="document"
            ) from None
        return content, download.charset_encoding

    # -- Fulfillment Inbound API 2024-03-20 (see :mod:`.fulfillment_inbound`) ----------------

    def create_inbound_plan(self, body):
        """createInboundPlan: ``(inboundPlanId, operationId)`` of the plan Amazon creates.

        ``body`` comes from :func:`.fulfillment_inbound.build_request`. Amazon answers 202 and
        creates the plan asynchronously: follow ``operationId`` with
        :meth:`get_inbound_operation_status`.
        """
        response = self._call(
            const.OP_CREATE_INBOUND_PLAN, _InboundClient, "create_inbound_plan", **body
        )
        return fulfillment_inbound.parse_create_response(response.payload)

    def get_inbound_operation_status(self, operation_id):
        """getInboundOperationStatus: a :class:`.fulfillment_inbound.OperationStatus`."""
        response = self._call(
            const.OP_GET_INBOUND_OPERATION_STATUS,
            _InboundClient,
            "get_inbound_operation_status",
            operationId=operation_id,
        )
        return fulfillment_inbound.parse_operation_status(response.payload)

    # -- Fulfillment Outbound API 2020-07-01 (see :mod:`.fulfillment_outbound`) --------------

    def get_fulfillment_order(self, seller_fulfillment_order_id):
        """getFulfillmentOrder: the payload dict (``fulfillmentOrder``, ``fulfillmentShipments``
        ...) of one Multi-Channel Fulfilment order. Amazon not knowing it (yet) raises
        :class:`AmazonPermanentError` with ``status`` 404."""
        response = self._call(
            const.OP_GET_FULFILLMENT_ORDER,
            _FulfillmentOutboundClient,
            "get_fulfillment_order",
            sellerFulfillmentOrderId=seller_fulfillment_order_id,
        )
        payload = response.payload
        if not isinstance(payload, dict):
            raise AmazonMappingError(
                "Amazon sent a malformed payload: field payload must be an object.",
                field="payload",
            )
        return payload


# -- endpoint policy ----------------------------------------------------------------------------

_HOST_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")


def _is_loopback(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _is_host(host):
    if _HOST_NAME.match(host):
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def check_endpoint(url, kind, *, allow_custom_https=False, label=None):
    """``url`` rebuilt from its checked parts, if credentials may be sent there.

    ``kind`` is ``const.ENDPOINT_SP_API`` or ``const.ENDPOINT_LWA``. Allowed: Amazon's own hosts
    of that kind over https (default port); any loopback host over http (the local simulator);
    another https host only with ``allow_custom_https`` (the caller knows a system administrator
    entered it). Anything else, or a URL with user info, query, fragment, spaces or backslashes,
    raises :class:`AmazonEndpointRefused`. The message names the host, never the URL's other
    parts.
    """
    what = const.ENDPOINT_LABELS[kind]
    owner = label or "this Amazon account"
    text = url if isinstance(url, str) else ""
    malformed = AmazonEndpointRefused(
        f"The {what} of {owner} is not a plain URL (http(s)://host[:port][/path], without user, "
        "query or fragment): correct it, or clear it to use Amazon's host."
    )
    if not text or any(ch.isspace() or ch == "\\" or not ch.isprintable() for ch in text):
        raise malformed
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise malformed from None
    host = parts.hostname or ""
    if (
        parts.scheme not in ("http", "https")
        or "@" in parts.netloc
        or parts.query
        or parts.fragment
        or not _is_host(host)
    ):
        raise malformed
    where = host if port is None else f"{host}:{port}"
    if parts.scheme == "http":
        if not _is_loopback(host):
            raise AmazonEndpointRefused(
                f"The {what} of {owner} sends credentials over plain http:// to {host}: that is "
                "only allowed to this machine (127.0.0.1, ::1, localhost), for the local "
                "simulator. Use Amazon's https host (clear the field) or an https:// URL."
            )
    elif (host not in const.AMAZON_HOSTS[kind] or port not in (None, 443)) and (
        not allow_custom_https
    ):
        raise AmazonEndpointRefused(
            f"The {what} of {owner} points at {where}, which is not Amazon's: credentials go "
            "only to Amazon's hosts, or to another https host that a system administrator "
            "entered. Ask a system administrator to enter the endpoint again, or clear it."
        )
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc = f"{netloc}:{port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
