"""Private: exact conversions between Python values and what the C ABI takes.

* Money (prices, sizes, tick sizes) crosses as plain decimal strings. ``Decimal`` is checked
  (finite, at most 6 fraction digits once trailing zeros are dropped) and written without an
  exponent; ``str`` is passed through for the library to validate; ``int`` is exact; ``float``
  is refused with ``TypeError``, because binary floats are how money is lost.
* Timestamps cross as int64 milliseconds since the epoch, computed with integer arithmetic from
  the ``timedelta`` parts (never ``timestamp() * 1000``). Naive datetimes are refused.
* Strings are encoded as UTF-8 and must not contain NUL (C would silently cut them there).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import List, Optional, Union

from . import _ffi
from .errors import PmInvalidArgument

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
MAX_FRACTION_DIGITS = 6

DecimalLike = Union[Decimal, str, int]


def _invalid(message: str) -> PmInvalidArgument:
    error = _ffi.error(_ffi.PM_E_INVALID_ARG, message)
    assert isinstance(error, PmInvalidArgument)  # the class mapped to PM_E_INVALID_ARG
    return error


# ---- strings ----------------------------------------------------------------------------------


def encode(value: object, field: str, keep: List[bytes]) -> bytes:
    """A required string as NUL-free UTF-8 bytes, remembered in `keep` (which the caller holds
    until the C call returns, so ctypes' pointers into the bytes stay valid)."""
    if not isinstance(value, str):
        raise TypeError(f"{field} must be str, not {type(value).__name__}")
    try:
        data = value.encode("utf-8")
    except UnicodeEncodeError as failure:  # lone surrogates
        raise _ffi.error(_ffi.PM_E_INVALID_UTF8, f"{field} is not valid UTF-8: {failure}") from None
    if b"\x00" in data:
        raise _invalid(f"{field} contains a NUL character")
    keep.append(data)
    return data


def encode_optional(value: object, field: str, keep: List[bytes]) -> Optional[bytes]:
    """None -> NULL (the header's "absent"); otherwise as encode()."""
    return None if value is None else encode(value, field, keep)


# ---- decimals ---------------------------------------------------------------------------------


def _reduced(value: Decimal, field: str) -> Decimal:
    """`value` without trailing fraction zeros, after checking it is finite and has at most
    6 fraction digits. Pure integer work on the digit tuple: no context, no rounding."""
    if not value.is_finite():
        raise _invalid(f"{field} must be a finite decimal, got {value}")
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    digit_list = list(digits)
    while exponent < 0 and len(digit_list) > 1 and digit_list[-1] == 0:
        digit_list.pop()
        exponent += 1
    if exponent < 0 and digit_list == [0]:
        exponent = 0
    if -exponent > MAX_FRACTION_DIGITS:
        raise _invalid(
            f"{field} {value} has {-exponent} fraction digits; at most {MAX_FRACTION_DIGITS} "
            "are exact (round it explicitly with Decimal.quantize first)"
        )
    if digit_list == [0]:
        sign = 0  # "-0" is not a valid wire decimal
    return Decimal((sign, tuple(digit_list), exponent))


def decimal_text(value: object, field: str) -> str:
    """A price-like value as the plain decimal string the C ABI parses."""
    if isinstance(value, bool) or isinstance(value, float):
        raise TypeError(
            f"{field} must be Decimal, str or int, not {type(value).__name__} "
            "(binary floats cannot hold prices exactly; use Decimal('0.95') or '0.95')"
        )
    if isinstance(value, str):
        return value  # the library validates it (PM_E_PARSE / PM_E_RANGE)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return format(_reduced(value, field), "f")
    raise TypeError(f"{field} must be Decimal, str or int, not {type(value).__name__}")


def encode_decimal(value: object, field: str, keep: List[bytes]) -> bytes:
    return encode(decimal_text(value, field), field, keep)


def encode_optional_decimal(value: object, field: str, keep: List[bytes]) -> Optional[bytes]:
    return None if value is None else encode_decimal(value, field, keep)


def decimal_to_micros(value: object, field: str = "value") -> int:
    """An exact Decimal/int as int64 micro-units (PmInvalidArgument/PmRangeError otherwise)."""
    if isinstance(value, bool) or isinstance(value, float):
        raise TypeError(f"{field} must be Decimal or int, not {type(value).__name__}")
    if isinstance(value, int):
        micros = value * _ffi.PM_DECIMAL_SCALE
    elif isinstance(value, Decimal):
        sign, digits, exponent = _reduced(value, field).as_tuple()
        assert isinstance(exponent, int)
        coefficient = int("".join(map(str, digits)))
        micros = coefficient * 10 ** (exponent + MAX_FRACTION_DIGITS)
        if sign:
            micros = -micros
    else:
        raise TypeError(f"{field} must be Decimal or int, not {type(value).__name__}")
    if not _ffi.INT64_MIN <= micros <= _ffi.INT64_MAX:
        raise _ffi.error(_ffi.PM_E_RANGE, f"{field} {value} does not fit in int64 micro-units")
    return micros


def micros_to_decimal(micros: int) -> Decimal:
    """Exact: built from the decimal digits, never through a float or a rounding context."""
    whole, fraction = divmod(abs(micros), _ffi.PM_DECIMAL_SCALE)
    body = str(whole) if fraction == 0 else f"{whole}.{fraction:06d}".rstrip("0")
    return Decimal(("-" if micros < 0 else "") + body)


def parse_decimal_text(raw: Optional[bytes]) -> Decimal:
    """A canonical decimal string from the library, straight into Decimal."""
    return Decimal(_ffi.text(raw))


def parse_optional_decimal_text(raw: Optional[bytes]) -> Optional[Decimal]:
    return Decimal(raw.decode("utf-8")) if raw else None


# ---- integers ---------------------------------------------------------------------------------


def check_int(value: object, field: str, low: int, high: int) -> int:
    """An int within [low, high]. ctypes would silently wrap an out-of-range value."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{field} must be int, not {type(value).__name__}")
    if not low <= value <= high:
        raise _invalid(f"{field} {value} is out of range [{low}, {high}]")
    return value


def check_bool(value: object, field: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{field} must be bool, not {type(value).__name__}")
    return value


# ---- datetimes --------------------------------------------------------------------------------


def to_ms(value: object, field: str, *, round_up: bool = False) -> int:
    """An aware datetime as int ms since the epoch, exactly. Sub-millisecond parts are dropped
    (rounded towards the past), or rounded up with round_up=True (for inclusive lower bounds)."""
    if not isinstance(value, datetime):
        raise TypeError(f"{field} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise ValueError(
            f"{field} is a naive datetime, which is ambiguous; give it a time zone, "
            "e.g. datetime(..., tzinfo=timezone.utc)"
        )
    delta = value - EPOCH  # exact timedelta: days, seconds, microseconds (normalised, >= 0 parts)
    millis, micros = divmod(delta.microseconds, 1000)
    result = (delta.days * 86_400 + delta.seconds) * 1000 + millis
    if round_up and micros:
        result += 1
    return result


def from_ms(ms: int) -> datetime:
    """int ms since the epoch as an aware UTC datetime (exact)."""
    return EPOCH + timedelta(milliseconds=ms)


def optional_from_ms(ms: int) -> Optional[datetime]:
    """0 (the header's "unknown") gives None."""
    return None if ms == 0 else from_ms(ms)
