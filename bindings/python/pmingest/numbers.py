"""Exact decimals through the library's own parser and formatter.

``parse_decimal("1218691.83") == Decimal("1218691.83")``, exactly: values cross the C ABI as
int64 micro-units (value x 1e6) and are rebuilt from their digits, never through a float.
Useful to check that Python and the library agree on a wire value.
"""

from __future__ import annotations

import ctypes
from decimal import Decimal
from typing import List, Union

from . import _convert, _ffi

__all__ = ["parse_decimal", "format_decimal"]


def parse_decimal(text: str) -> Decimal:
    """Parses a plain wire decimal ("0.95", ".48", "1218691.83") exactly, with the library's
    rules: at most 6 fraction digits, no sign, exponent or spaces (``PmParseError`` otherwise,
    ``PmRangeError`` beyond int64 micro-units)."""
    keep: List[bytes] = []
    encoded = _convert.encode(text, "text", keep)
    micros = ctypes.c_int64(0)
    _ffi.pm_decimal_parse(encoded, ctypes.byref(micros))
    return _convert.micros_to_decimal(micros.value)


def format_decimal(value: Union[Decimal, int]) -> str:
    """Formats an exact value canonically ("0.95", "1250.5", "0", "-0.01") with the library's
    formatter. ``PmInvalidArgument`` for more than 6 fraction digits or a non-finite value,
    ``PmRangeError`` beyond int64 micro-units, ``TypeError`` for floats."""
    micros = _convert.decimal_to_micros(value, "value")
    out = ctypes.c_void_p()
    try:
        _ffi.pm_decimal_format(micros, ctypes.byref(out))
    except BaseException:
        if out.value:  # the header promises NULL on failure; free defensively anyway
            _ffi.pm_string_free(out.value)
        raise
    return _ffi.take_string(out)
