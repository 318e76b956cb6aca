"""Batch prices from the CLOB: ``PolymarketClient.fetch_prices`` (best bid or ask),
``fetch_midpoints`` and ``fetch_last_trade_prices``, one request per 100 tokens (the library
chunks). Results are dicts keyed by token id with exact ``Decimal`` prices; a token the server
leaves out (no book, no trade) is absent, never zero.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple, TypeVar

from . import _convert, _ffi

__all__ = ["LastTradePrice"]

T = TypeVar("T")

_SIDES = {"BUY": _ffi.PM_SIDE_BID, "SELL": _ffi.PM_SIDE_ASK}


@dataclass(frozen=True)
class LastTradePrice:
    """A token's last trade: its exact price and the taker's side ("BUY"/"SELL", None if unsent)."""

    price: Decimal
    side: Optional[str]


def side_value(side: str) -> int:
    """"BUY" (the best bid) or "SELL" (the best ask) as the header's pm_side."""
    if not isinstance(side, str) or side.upper() not in _SIDES:
        raise ValueError(f'side must be "BUY" or "SELL", got {side!r}')
    return _SIDES[side.upper()]


def encode_tokens(token_ids: Iterable[str]) -> Tuple["ctypes.Array[ctypes.c_char_p]", int, List[bytes]]:
    """The ids as a C array (kept alive by the returned list), checked for type here; the
    library checks the digits."""
    if isinstance(token_ids, (str, bytes)):
        raise TypeError("token_ids must be an iterable of token ids, not a single string")
    keep: List[bytes] = []
    encoded = [_convert.encode(t, f"token_ids[{i}]", keep) for i, t in enumerate(token_ids)]
    return (ctypes.c_char_p * max(1, len(encoded)))(*encoded), len(encoded), keep


def read_rows(out: "ctypes._Pointer[Any]", make: Callable[[Decimal, str], T]) -> Dict[str, T]:
    """Copies a pm_token_prices list into {token id: make(price, side)} and frees it."""
    try:
        return {
            _ffi.text(_ffi.pm_token_prices_token_id(out, i)): make(
                _convert.micros_to_decimal(_ffi.pm_token_prices_price_micros(out, i)),
                _ffi.text(_ffi.pm_token_prices_side(out, i)),
            )
            for i in range(_ffi.pm_token_prices_count(out))
        }
    finally:
        _ffi.pm_token_prices_free(out)


def price_only(price: Decimal, _side: str) -> Decimal:
    return price


def last_trade(price: Decimal, side: str) -> LastTradePrice:
    return LastTradePrice(price=price, side=side or None)
