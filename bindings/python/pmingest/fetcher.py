"""Recent trades that passed an age check (G1), and the size of a trade near a price (G3).

**G1, stale trades (the "Belichick bug").** The Data API's "recent trades" of a thin market
contain prints that are months old; a bot once bought at 95c on a two-month-old print while the
market sat at 5c. Every trade this module hands out as recent has passed
``timestamp >= now - max_age`` (default 300 s), after the wire timestamps (seconds on the Data
API) were normalised to milliseconds. Trades stamped more than 5 s in the future are dropped too
(a seconds/ms mix-up or a broken clock). All-stale gives ``[]``, never the stale rows.

**G3, the stream has no trade size.** ``PriceUpdate`` (from the WebSocket stream) carries a price
but no size, yet the size filter (>= 50) matters. ``fetch_trade_size_at_price`` finds the size of
the most recent fresh trade whose price is within a tolerance of the target, over REST.
"""

from __future__ import annotations

import ctypes
from decimal import Decimal
from typing import Any, ContextManager, List, Optional

from . import _blocking, _convert, _ffi
from .client import PolymarketClient, read_trades, require_client
from .errors import PmInternalError
from .storage import PolymarketTrade

__all__ = ["TradeFetcher", "fetch_recent_trades"]

DEFAULT_MAX_AGE_SECONDS = 300
DEFAULT_PRICE_TOLERANCE = Decimal("0.01")
DEFAULT_SIZE_LOOKUP_MAX_AGE_SECONDS = 60


def _max_age(value: object, field: str = "max_age_seconds") -> int:
    return _convert.check_int(value, field, 0, _ffi.INT64_MAX)


class TradeFetcher:
    """Fetches a token's trades and hands out only those no older than ``max_age_seconds`` (G1).

    The fetcher keeps its client alive; closing the client closes the fetcher, after which its
    calls raise ``ValueError``. It may be used from several threads; ``last_dropped_stale``
    then describes whichever ``fetch_recent_trades`` call finished last.
    """

    def __init__(
        self, client: PolymarketClient, max_age_seconds: int = DEFAULT_MAX_AGE_SECONDS
    ) -> None:
        self._guard: Optional[_blocking.Guard] = (
            None  # set last: __del__ may see a half-made object
        )
        self._client = require_client(client)
        self._max_age_seconds = _max_age(max_age_seconds)
        self._last_dropped_stale = 0
        out = _ffi.FetcherP()
        with self._client._use() as handle:
            _ffi.pm_fetcher_new(handle, self._max_age_seconds, ctypes.byref(out))
        if not out:
            raise PmInternalError("pm_fetcher_new returned PM_OK without a fetcher")
        self._guard = _blocking.Guard(out, _ffi.pm_fetcher_free, "fetcher")
        self._client._adopt(self)

    @property
    def client(self) -> PolymarketClient:
        return self._client

    @property
    def max_age_seconds(self) -> int:
        """The default age limit of fetch_recent_trades, in seconds."""
        return self._max_age_seconds

    @property
    def last_dropped_stale(self) -> int:
        """How many trades the age check refused in the last fetch_recent_trades call."""
        return self._last_dropped_stale

    @property
    def closed(self) -> bool:
        return self._guard is None or self._guard.closed or self._client.closed

    def _use(self) -> ContextManager["ctypes._Pointer[Any]"]:
        if self._guard is None:
            raise ValueError("fetcher is closed")
        return self._guard.use()

    def fetch_recent_trades(
        self, token_id: str, max_age_seconds: Optional[int] = None
    ) -> List[PolymarketTrade]:
        """The token's trades no older than ``max_age_seconds`` (None: the fetcher's default),
        newest first. G1: a trade older than that is never returned, whatever the API sent."""
        keep: List[bytes] = []
        encoded = _convert.encode(token_id, "token_id", keep)
        max_age = -1 if max_age_seconds is None else _max_age(max_age_seconds)

        def work() -> List[PolymarketTrade]:
            out = _ffi.TradesP()
            dropped = ctypes.c_size_t(0)
            with self._client._use(), self._use() as fetcher:
                _ffi.pm_fetcher_fetch_recent_trades(
                    fetcher, encoded, max_age, ctypes.byref(out), ctypes.byref(dropped)
                )
            trades = read_trades(out)
            self._last_dropped_stale = dropped.value
            return trades

        return self._client._run(work)

    def fetch_trade_size_at_price(
        self,
        token_id: str,
        target_price: Decimal,
        price_tolerance: Decimal = DEFAULT_PRICE_TOLERANCE,
        max_age_seconds: int = DEFAULT_SIZE_LOOKUP_MAX_AGE_SECONDS,
    ) -> Optional[Decimal]:
        """G3 fallback: the size of the most recent trade no older than ``max_age_seconds``
        whose price is within ``price_tolerance`` of ``target_price``; None when there is none.
        Prices are ``Decimal`` (or ``str``/``int``); ``float`` is refused."""
        keep: List[bytes] = []
        encoded = _convert.encode(token_id, "token_id", keep)
        target = _convert.encode_decimal(target_price, "target_price", keep)
        tolerance = _convert.encode_optional_decimal(price_tolerance, "price_tolerance", keep)
        max_age = _max_age(max_age_seconds)

        def work() -> Optional[Decimal]:
            out = ctypes.c_void_p()
            with self._client._use(), self._use() as fetcher:
                _ffi.pm_fetcher_fetch_trade_size_at_price(
                    fetcher, encoded, target, tolerance, max_age, ctypes.byref(out)
                )
            size = _ffi.take_optional_string(out)
            return None if size is None else Decimal(size)

        return self._client._run(work)

    def close(self) -> None:
        """Frees the fetcher (after calls in progress on it have ended). Idempotent."""
        guard = self._guard
        if guard is not None:
            guard.close()

    def __enter__(self) -> "TradeFetcher":
        if self.closed:
            raise ValueError("fetcher is closed")
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self) -> None:
        guard = getattr(self, "_guard", None)
        if guard is not None:
            guard.free_unreachable()

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"<pmingest.TradeFetcher max_age_seconds={self._max_age_seconds} ({state})>"


def fetch_recent_trades(
    client: PolymarketClient, token_id: str, max_age_seconds: int = DEFAULT_MAX_AGE_SECONDS
) -> List[PolymarketTrade]:
    """The token's trades no older than ``max_age_seconds``, newest first (G1; see
    ``TradeFetcher``)."""
    client = require_client(client)
    keep: List[bytes] = []
    encoded = _convert.encode(token_id, "token_id", keep)
    max_age = _max_age(max_age_seconds)

    def work() -> List[PolymarketTrade]:
        out = _ffi.TradesP()
        with client._use() as handle:
            _ffi.pm_fetch_recent_trades(handle, encoded, max_age, ctypes.byref(out))
        return read_trades(out)

    return client._run(work)
