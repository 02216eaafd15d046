# TEMP stand-in (drop at merge): the real module comes from branch spapi.
"""Errors raised by the SP-API adapter; str(error) is a clear message without secrets."""


class AmazonError(Exception):
    """Base class of every error the adapter raises."""


class AmazonRetryableError(AmazonError):
    """Timeouts, connection errors, throttling, 5xx: try again later."""


class AmazonPermanentError(AmazonError):
    """The request was refused for good (4xx)."""

    def __init__(self, message, status=None, code=None):
        super().__init__(message)
        self.status = status
        self.code = code


class AmazonAuthError(AmazonPermanentError):
    """Login with Amazon refused the credentials, or SP-API answered 401/403."""
