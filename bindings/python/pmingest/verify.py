"""G5: verify a price against the live order book before any order.

A spike print at 95c while the book sits at 5c cost real money. Before executing, the core calls
``verify_orderbook_price``: the price is valid only when the book has bids, is not crossed, and
``|best_bid - expected_price| <= max_deviation``. The best bid is the **highest** bid, whatever
order the levels arrived in (the real CLOB sends bids lowest-first); levels of size 0 do not
count. It fails closed: a book that cannot be fetched (whatever the server sent), is missing,
empty, crossed, or is the book of another token gives ``is_valid=False`` with the reason, not an
exception; only bad arguments (``PmInvalidArgument``: e.g. a token id that is not 1-78 digits)
and cancellation (``PmCancelled``, Ctrl-C) raise.
"""

from __future__ import annotations

import ctypes
from decimal import Decimal
from typing import List, NamedTuple, Optional

from . import _convert, _ffi
from .client import PolymarketClient, require_client

__all__ = ["verify_orderbook_price", "PriceVerification"]

DEFAULT_MAX_DEVIATION = Decimal("0.10")


class PriceVerification(NamedTuple):
    """The answer of verify_orderbook_price; a plain ``(is_valid, actual_best_bid, reason)``
    tuple with names. ``reason`` names both prices, e.g.
    ``"Orderbook 0.05 vs expected 0.95: deviation 0.9 exceeds 0.1"``."""

    is_valid: bool
    actual_best_bid: Optional[Decimal]
    reason: str


def verify_orderbook_price(
    client: PolymarketClient,
    token_id: str,
    expected_price: Decimal,
    max_deviation: Decimal = DEFAULT_MAX_DEVIATION,
) -> PriceVerification:
    """``(is_valid, actual_best_bid, reason)`` for ``expected_price`` against the token's book
    (G5). Prices are ``Decimal`` (or ``str``/``int``); ``float`` is refused."""
    client = require_client(client)
    keep: List[bytes] = []
    encoded = _convert.encode(token_id, "token_id", keep)
    expected = _convert.encode_decimal(expected_price, "expected_price", keep)
    deviation = _convert.encode_optional_decimal(max_deviation, "max_deviation", keep)

    def work() -> PriceVerification:
        valid = ctypes.c_bool(False)
        best_bid = ctypes.c_void_p()
        reason = ctypes.c_void_p()
        try:
            with client._use() as handle:
                _ffi.pm_verify_orderbook_price(
                    handle,
                    encoded,
                    expected,
                    deviation,
                    ctypes.byref(valid),
                    ctypes.byref(best_bid),
                    ctypes.byref(reason),
                )
            bid_text = _ffi.take_optional_string(best_bid)
            reason_text = _ffi.take_optional_string(reason) or ""
        finally:  # whatever failed above, never leak the owned strings
            for owned in (best_bid, reason):
                if owned.value:
                    _ffi.pm_string_free(owned.value)
        return PriceVerification(
            bool(valid.value), None if bid_text is None else Decimal(bid_text), reason_text
        )

    return client._run(work)
