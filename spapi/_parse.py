"""Small typed readers of JSON payloads that raise AmazonMappingError naming the field."""

import datetime
from decimal import Decimal, InvalidOperation

from .exceptions import AmazonMappingError

_MISSING = object()


def join(path, key):
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def fail(field, problem):
    raise AmazonMappingError(
        f"Amazon sent a malformed payload: field {field} {problem}.", field=field
    )


def get(data, key, path, kind, required=False, default=None):
    """``data[key]`` checked to be of ``kind`` (a type or tuple); ``None`` counts as missing."""
    field = join(path, key)
    value = data.get(key, _MISSING) if isinstance(data, dict) else _MISSING
    if value is _MISSING or value is None:
        if required:
            fail(field, "is missing")
        return default
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        fail(field, f"must be an integer, not {value!r}")
    if kind is not int and not isinstance(value, kind):
        names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
        names = {"str": "a string", "dict": "an object", "list": "a list"}.get(names, names)
        fail(field, f"must be {names}, not {type(value).__name__}")
    return value


def text(data, key, path, required=False):
    value = get(data, key, path, str, required=required)
    if required and not value.strip():
        fail(join(path, key), "is empty")
    if value and "\x00" in value:  # PostgreSQL text cannot hold it
        fail(join(path, key), "contains a NUL character")
    return value or None


def obj(data, key, path, required=False):
    return get(data, key, path, dict, required=required, default={})


def items(data, key, path, required=False):
    return get(data, key, path, list, required=required, default=[])


def datetime_utc(data, key, path, required=False):
    """An ISO 8601 date-time as a naive UTC ``datetime``."""
    value = text(data, key, path, required=required)
    if value is None:
        return None
    try:
        moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        fail(join(path, key), f"is not an ISO 8601 date-time ({value!r})")
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return moment


def money(data, key, path):
    """A ``Money`` object as ``(Decimal amount, currency)``, or ``(None, None)`` if absent."""
    value = obj(data, key, path)
    if not value:
        return None, None
    field = join(path, key)
    amount = get(value, "amount", field, (str, int, float), required=True)
    currency = text(value, "currencyCode", field)
    try:
        amount = Decimal(str(amount))
    except InvalidOperation:
        fail(join(field, "amount"), f"is not a decimal number ({amount!r})")
    if not amount.is_finite():
        fail(join(field, "amount"), f"is not a decimal number ({amount!r})")
    return amount, currency
