# TEMP stand-in (drop at merge): the real module comes from branch spapi. It implements only what
# the accounts branch calls: marketplaces() and SpApiAdapter.get_marketplace_participations().
"""The only module importing sp_api (stand-in)."""

import hashlib
from urllib.parse import urlsplit

import httpx
from sp_api.api import Sellers
from sp_api.auth import AccessTokenClient
from sp_api.auth.exceptions import AuthorizationError
from sp_api.base import Marketplaces
from sp_api.base.exceptions import SellingApiException

from .exceptions import AmazonAuthError, AmazonPermanentError, AmazonRetryableError

_REGION_MARKETPLACE = {"na": Marketplaces.US, "eu": Marketplaces.DE, "fe": Marketplaces.JP}


def _region_of(endpoint):
    for region in ("na", "eu", "fe"):
        if endpoint.endswith(f"-{region}.amazon.com"):
            return region
    raise ValueError(endpoint)


def marketplaces():
    """Every marketplace the library knows (aliases such as UK once)."""
    return [
        {
            "api_ref": marketplace.marketplace_id,
            "code": marketplace.name,
            "name": f"Amazon {marketplace.name}",
            "region": _region_of(marketplace.endpoint),
        }
        for marketplace in Marketplaces
    ]


def _token_client_class(lwa_endpoint):
    if not lwa_endpoint:
        base = AccessTokenClient
    else:
        url = urlsplit(lwa_endpoint)

        class base(AccessTokenClient):
            scheme = f"{url.scheme}://"
            host = url.netloc
            path = url.path if url.path not in ("", "/") else "/auth/o2/token"

    class TokenClient(base):
        def _get_cache_key(self, token_flavor=""):
            digest = hashlib.sha256(
                f"{self.cred.client_secret}\0{self.cred.refresh_token}".encode()
            ).hexdigest()
            return (
                f"{self.scheme}{self.host}{self.path}|{self.cred.client_id}|{digest}|{token_flavor}"
            )

    return TokenClient


class SpApiAdapter:
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
        timeout=30,
        deadline=None,
    ):
        self.region = region
        self._refresh_token = refresh_token
        self._credentials = {
            "lwa_app_id": lwa_client_id,
            "lwa_client_secret": lwa_client_secret,
            "refresh_token": refresh_token,
        }
        self.api_endpoint = api_endpoint
        self.lwa_endpoint = lwa_endpoint
        self.timeout = timeout

    def _client(self, api_class):
        client = api_class(
            _REGION_MARKETPLACE[self.region],
            refresh_token=self._refresh_token,
            credentials=self._credentials,
            timeout=self.timeout,
            auth_token_client_class=_token_client_class(self.lwa_endpoint),
        )
        if self.api_endpoint:
            client.endpoint = self.api_endpoint.rstrip("/")
        return client

    def get_marketplace_participations(self):
        check = (
            "check the LWA client id, client secret and refresh token of the account, "
            "and its endpoints"
        )
        try:
            return self._client(Sellers).get_marketplace_participation().payload
        except AuthorizationError as error:
            raise AmazonAuthError(
                f"Login with Amazon refused the credentials ({error.error_code}): {check}.",
                status=error.status_code,
                code=error.error_code,
            ) from None
        except SellingApiException as error:
            if error.code in (401, 403):
                raise AmazonAuthError(
                    f"Amazon refused access ({error.code}): {check}.", status=error.code
                ) from None
            if error.code == 429 or error.code >= 500:
                raise AmazonRetryableError(
                    f"Amazon is busy or unavailable ({error.code}): try again later."
                ) from None
            raise AmazonPermanentError(
                f"Amazon rejected the request ({error.code}).", status=error.code
            ) from None
        except httpx.HTTPError as error:
            raise AmazonRetryableError(
                f"Could not reach Amazon ({type(error).__name__}): check the network and the "
                "account's endpoints, then try again."
            ) from None
