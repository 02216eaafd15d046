"""Errors of the SP-API layer.

``str(error)`` is meant for the seller: clear, actionable and free of secrets. Callers decide what
to do from the class: retry later (:class:`AmazonRetryableError`), fix something
(:class:`AmazonPermanentError`), or fix the data (:class:`AmazonMappingError`,
:class:`AmazonSubstitutionError`).
"""


class AmazonError(Exception):
    """Base class of every error raised by the SP-API layer."""


class AmazonRetryableError(AmazonError):
    """Timeouts, connection errors, 429 and 5xx: the same call may succeed later."""


class AmazonThrottledError(AmazonRetryableError):
    """Amazon kept answering 429 (quota exceeded) after our retries."""

    def __init__(self, message, retry_after=None):
        super().__init__(message)
        self.retry_after = retry_after


class AmazonBudgetExhausted(AmazonRetryableError):
    """The rate limit or the time budget says stop now; the next run resumes.

    ``retry_in`` is how many seconds from now Amazon's quota allows the next request (None
    when the run simply ran out of time): the run asks its scheduled action to come back then.
    """

    def __init__(self, message, retry_in=None):
        super().__init__(message)
        self.retry_in = retry_in


class AmazonPermanentError(AmazonError):
    """Amazon refused the request (400, 404, other 4xx): retrying as is will not help."""

    def __init__(self, message, status=None, code=None):
        super().__init__(message)
        self.status = status
        self.code = code


class AmazonAuthError(AmazonPermanentError):
    """Login with Amazon refused the credentials, or the API answered 401/403."""


class AmazonMappingError(AmazonError):
    """A malformed payload; ``field`` names where (``orderItems[1].quantityOrdered``)."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


class AmazonSubstitutionError(AmazonError):
    """No single FBA kit can stand for a tracked product.

    ``reason`` is ``"missing_kit"``, ``"ambiguous_kit"`` or ``"fractional_kit"``.
    """

    def __init__(self, message, reason, product_id=None):
        super().__init__(message)
        self.reason = reason
        self.product_id = product_id


class AmazonEndpointRefused(AmazonPermanentError, ValueError):
    """An endpoint the adapter will not send credentials to (not Amazon's, not allowed)."""
