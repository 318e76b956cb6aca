"""The REST client: markets from Gamma, order books from the CLOB, trades from the Data API.

A thin layer over ``pm_client_*`` in ``include/pmingest.h``. The library does the HTTP (libcurl on
its own thread), retries (5xx, 425, timeouts and connection errors with exponential backoff; 429
and 503 honour ``Retry-After``; other 4xx never retry), per-endpoint rate limits, the response
size cap, and the decoding of the real wire formats. This module converts the results into plain
frozen dataclasses with exact values: prices and sizes are ``Decimal``, times are aware UTC
``datetime`` objects, token ids are ``str`` (never ``int``, never ``float``). Every C record list
is copied and freed before a method returns.

Blocking calls can be interrupted with Ctrl-C (KeyboardInterrupt) on the main thread: the call is
cancelled in the library and the client stays usable. ``cancel()`` does the same from any thread,
making the calls in progress raise ``PmCancelled``.

For trades you will act on, use ``TradeFetcher`` / ``fetch_recent_trades`` (G1: age-checked), not
``PolymarketClient.fetch_trades`` (raw, no age check).
"""

from __future__ import annotations

import ctypes
import threading
import weakref
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Callable, ContextManager, Dict, Iterable, List, Optional, Tuple, TypeVar

from . import _blocking, _convert, _ffi
from .errors import PmInternalError
from .storage import PolymarketTrade, _read_trade
from .export import OrderBookList, PricePointList, TradeList

if TYPE_CHECKING:
    from .batch_prices import LastTradePrice
    from .gamma import GammaEvent
    from .prices import PricePoint

__all__ = [
    "PolymarketClient",
    "Market",
    "MarketToken",
    "OrderBook",
    "OrderBookLevel",
]

T = TypeVar("T")


# ---------------------------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MarketToken:
    """One outcome token of a market: its CLOB token id (a decimal string of up to 78 digits)
    and its outcome name (e.g. "Yes"), None when Gamma did not say."""

    token_id: str
    outcome: Optional[str]


@dataclass(frozen=True)
class Market:
    """A Gamma market. ``tick_size``/``min_order_size`` are exact (None when unknown);
    ``end_date`` is an aware UTC datetime (None when unknown); ``tokens`` are in outcome order.
    ``protocol_version`` is "v1" or "v2" (Gamma's ``version``; a market without one is "v1"): it
    decided where the token ids came from (``clobTokenIds`` for v1, ``positionIds`` for v2)."""

    id: str
    condition_id: str
    question: Optional[str]
    slug: Optional[str]
    active: bool
    closed: bool
    neg_risk: bool
    accepting_orders: bool
    tick_size: Optional[Decimal]
    min_order_size: Optional[Decimal]
    end_date: Optional[datetime]
    tokens: Tuple[MarketToken, ...]
    protocol_version: str = "v1"

    @property
    def token_ids(self) -> Tuple[str, ...]:
        return tuple(token.token_id for token in self.tokens)


@dataclass(frozen=True)
class OrderBookLevel:
    """One price level: exact ``price`` and ``size``."""

    price: Decimal
    size: Decimal


@dataclass(frozen=True)
class OrderBook:
    """An order-book snapshot from the CLOB.

    ``bids`` and ``asks`` are sorted **best first** whatever order the wire used: bids highest
    price first, asks lowest first. (The real API sends bids lowest-first, so its ``bids[0]`` is
    the WORST bid; reading it as the best is the G5 trap.) ``timestamp`` is the server's snapshot
    time (aware UTC), None when absent.
    """

    token_id: str
    condition_id: Optional[str]
    timestamp: Optional[datetime]
    hash: Optional[str]
    tick_size: Optional[Decimal]
    min_order_size: Optional[Decimal]
    bids: Tuple[OrderBookLevel, ...]
    asks: Tuple[OrderBookLevel, ...]

    @property
    def best_bid(self) -> Optional[OrderBookLevel]:
        """The highest bid, or None for an empty bid side."""
        return self.bids[0] if self.bids else None

    @property
    def best_ask(self) -> Optional[OrderBookLevel]:
        """The lowest ask, or None for an empty ask side."""
        return self.asks[0] if self.asks else None


def _read_market(ptr: "ctypes._Pointer[Any]") -> Market:
    tokens = tuple(
        MarketToken(
            token_id=_ffi.text(_ffi.pm_market_token_id(ptr, index)),
            outcome=_ffi.optional_text(_ffi.pm_market_token_outcome(ptr, index)),
        )
        for index in range(_ffi.pm_market_token_count(ptr))
    )
    return Market(
        id=_ffi.text(_ffi.pm_market_id(ptr)),
        condition_id=_ffi.text(_ffi.pm_market_condition_id(ptr)),
        question=_ffi.optional_text(_ffi.pm_market_question(ptr)),
        slug=_ffi.optional_text(_ffi.pm_market_slug(ptr)),
        active=bool(_ffi.pm_market_active(ptr)),
        closed=bool(_ffi.pm_market_closed(ptr)),
        neg_risk=bool(_ffi.pm_market_neg_risk(ptr)),
        accepting_orders=bool(_ffi.pm_market_accepting_orders(ptr)),
        tick_size=_convert.parse_optional_decimal_text(_ffi.pm_market_tick_size(ptr)),
        min_order_size=_convert.parse_optional_decimal_text(_ffi.pm_market_min_order_size(ptr)),
        end_date=_convert.optional_from_ms(_ffi.pm_market_end_date_ms(ptr)),
        tokens=tokens,
        protocol_version=_ffi.text(_ffi.pm_market_protocol_version(ptr)),
    )


def _read_levels(ptr: "ctypes._Pointer[Any]", side: int) -> Tuple[OrderBookLevel, ...]:
    """One side in one call (pm_book_levels_text: "<price> <size>" lines of canonical decimals,
    best first), each text straight into an exact Decimal."""
    words = (_ffi.pm_book_levels_text(ptr, side) or b"").decode("ascii").split()
    if len(words) != 2 * _ffi.pm_book_level_count(ptr, side):
        raise PmInternalError("pm_book_levels_text does not match pm_book_level_count")
    make = _new_level
    it = iter(words)
    return tuple([make(Decimal(price), Decimal(size)) for price, size in zip(it, it)])


def _new_level(price: Decimal, size: Decimal) -> OrderBookLevel:
    """OrderBookLevel(price, size) without the frozen dataclass's per-field __setattr__ detour."""
    level = object.__new__(OrderBookLevel)
    fields = level.__dict__
    fields["price"] = price
    fields["size"] = size
    return level


def _read_book(ptr: "ctypes._Pointer[Any]") -> OrderBook:
    return OrderBook(
        token_id=_ffi.text(_ffi.pm_book_token_id(ptr)),
        condition_id=_ffi.optional_text(_ffi.pm_book_condition_id(ptr)),
        timestamp=_convert.optional_from_ms(_ffi.pm_book_timestamp_ms(ptr)),
        hash=_ffi.optional_text(_ffi.pm_book_hash(ptr)),
        tick_size=_convert.parse_optional_decimal_text(_ffi.pm_book_tick_size(ptr)),
        min_order_size=_convert.parse_optional_decimal_text(_ffi.pm_book_min_order_size(ptr)),
        bids=_read_levels(ptr, _ffi.PM_SIDE_BID),
        asks=_read_levels(ptr, _ffi.PM_SIDE_ASK),
    )


def read_trades(out: "ctypes._Pointer[Any]") -> List[PolymarketTrade]:
    """Copies a pm_trades list into PolymarketTrade objects and frees it."""
    try:
        return TradeList(
            _read_trade(_ffi.pm_trades_at(out, index)) for index in range(_ffi.pm_trades_count(out))
        )
    finally:
        _ffi.pm_trades_free(out)


def _url(value: object, field: str, keep: List[bytes]) -> Optional[bytes]:
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{field} must be str or None, not {type(value).__name__}")
    return _convert.encode_optional(value, field, keep)


# ---------------------------------------------------------------------------------------------
# Client
# ---------------------------------------------------------------------------------------------


class PolymarketClient:
    """REST client for Gamma (markets), the CLOB (order books) and the Data API (trades).

    ``gamma_url``/``clob_url``/``data_url`` default to the production services; point them at a
    proxy or at the test server. Timeouts apply per attempt; ``max_attempts`` counts the first
    try (1 = no retry); a response larger than ``max_response_bytes`` raises ``PmTooLargeError``.

    ``fetch_active_markets`` (and ``MetadataSync.sync``) is one listing of many pages, bounded as
    a whole: at most ``listing_max_pages`` pages (default 1000; the real Gamma needs about 100 at
    500 markets a page), else ``PmTooLargeError``; at most ``listing_timeout_ms`` of wall time
    for every page, retry and wait together (default 300000, 5 minutes), else ``PmTimeoutError``
    (the request in flight is cancelled). The message names the budget and what was seen; a
    listing is never silently truncated.

    ``deadline_ms`` (default 20000; 0 = none) bounds one call across every attempt, back-off and
    rate-limit wait: each attempt's timeout is cut to what remains, a retry that would pass it is
    not started, and on expiry the call raises ``PmTimeoutError`` naming the deadline, the
    attempts made and the last failure. A call is one request with its retries, except
    ``fetch_trades`` and the fetchers (condition lookup + tape share one deadline); each page of a
    market listing gets its own deadline, the listing as a whole ``listing_timeout_ms``.

    ``fetch_orderbook`` of a token without a book (HTTP 404: a resolved market or an unknown
    token) raises ``PmNoOrderBook``, a ``PmBookInvalid``; it is never retried.

    Errors: ``PmNetworkError``, ``PmTimeoutError``, ``PmHTTPError`` (the message quotes the status
    and an excerpt of the body, the title of an HTML page included), ``PmParseError``,
    ``PmTooLargeError``, ``PmCancelled``; ``PmInvalidArgument`` for bad arguments.

    One client may be used from many threads at once. Use it as a context manager or call
    ``close()``; afterwards every call raises ``ValueError("client is closed")``.
    """

    def __init__(
        self,
        gamma_url: Optional[str] = None,
        clob_url: Optional[str] = None,
        data_url: Optional[str] = None,
        *,
        connect_timeout_ms: int = 5000,
        total_timeout_ms: int = 15000,
        max_attempts: int = 4,
        max_response_bytes: int = 16 * 1024 * 1024,
        verify_tls: bool = True,
        rate_limit: bool = True,
        listing_max_pages: int = 1000,
        listing_timeout_ms: int = 300_000,
        deadline_ms: int = 20_000,
    ) -> None:
        self._guard: Optional[_blocking.Guard] = (
            None  # set last: __del__ may see a half-made object
        )
        self._children: "weakref.WeakSet[Any]" = weakref.WeakSet()
        self._children_lock = threading.Lock()
        keep: List[bytes] = []
        options = _ffi.ClientOptions()
        _ffi.pm_client_options_init(ctypes.byref(options), _ffi.PM_CLIENT_OPTIONS_VERSION)
        options.gamma_url = _url(gamma_url, "gamma_url", keep)
        options.clob_url = _url(clob_url, "clob_url", keep)
        options.data_url = _url(data_url, "data_url", keep)
        options.connect_timeout_ms = _convert.check_int(
            connect_timeout_ms, "connect_timeout_ms", 1, _ffi.INT32_MAX
        )
        options.total_timeout_ms = _convert.check_int(
            total_timeout_ms, "total_timeout_ms", 1, _ffi.INT32_MAX
        )
        options.max_attempts = _convert.check_int(max_attempts, "max_attempts", 1, _ffi.INT32_MAX)
        options.max_response_bytes = _convert.check_int(
            max_response_bytes, "max_response_bytes", 1, _ffi.INT64_MAX
        )
        options.verify_tls = _convert.check_bool(verify_tls, "verify_tls")
        options.rate_limit = _convert.check_bool(rate_limit, "rate_limit")
        options.listing_max_pages = _convert.check_int(
            listing_max_pages, "listing_max_pages", 1, _ffi.INT32_MAX
        )
        options.listing_timeout_ms = _convert.check_int(
            listing_timeout_ms, "listing_timeout_ms", 1, _ffi.INT32_MAX
        )
        options.deadline_ms = _convert.check_int(deadline_ms, "deadline_ms", 0, _ffi.INT32_MAX)
        out = _ffi.ClientP()
        _ffi.pm_client_new(ctypes.byref(options), ctypes.byref(out))
        if not out:
            raise PmInternalError("pm_client_new returned PM_OK without a client")
        self._urls = (gamma_url, clob_url, data_url)
        self._guard = _blocking.Guard(out, _ffi.pm_client_free, "client")

    # ---- plumbing shared with fetcher.py / verify.py / sync.py --------------------------------

    def _use(self) -> ContextManager["ctypes._Pointer[Any]"]:
        if self._guard is None:
            raise ValueError("client is closed")
        return self._guard.use()

    def _run(self, work: Callable[[], T]) -> T:
        """Runs work() (blocking pm_* calls on this client, plus conversion), interruptible by
        Ctrl-C on the main thread: KeyboardInterrupt cancels the call in the library."""
        return _blocking.interruptible(self._cancel_quietly, work)

    def _cancel_quietly(self) -> None:
        guard = self._guard
        if guard is not None:
            guard.with_pointer(_ffi.pm_client_cancel)

    def _adopt(self, child: Any) -> None:
        """Registers a child (a TradeFetcher): close() closes it after the calls have ended."""
        with self._children_lock:
            self._children.add(child)

    # ---- API ----------------------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        return self._guard is None or self._guard.closed

    def fetch_active_markets(self) -> List[Market]:
        """Every active, not-closed market from Gamma, following the keyset cursor to the end
        (Gamma clamps ``limit`` silently; only a page without a next cursor ends the listing; the
        legacy offset listing is used only when the keyset endpoint is not there), within the
        client's listing budget: ``PmTooLargeError`` after ``listing_max_pages`` pages,
        ``PmTimeoutError`` after ``listing_timeout_ms``; ``PmParseError`` for cursors that cycle."""

        def work() -> List[Market]:
            out = _ffi.MarketsP()
            with self._use() as client:
                _ffi.pm_client_fetch_active_markets(client, ctypes.byref(out))
            try:
                return [
                    _read_market(_ffi.pm_markets_at(out, index))
                    for index in range(_ffi.pm_markets_count(out))
                ]
            finally:
                _ffi.pm_markets_free(out)

        return self._run(work)

    def fetch_events(self, closed: bool = False) -> "List[GammaEvent]":
        """Every Gamma event whose ``closed`` is as asked (False: the open ones; True: resolved
        ones, e.g. for a backfill), each with its markets (``GammaEvent``). Walked and bounded
        like ``fetch_active_markets``: keyset pages by cursor, the legacy offset listing only when
        the keyset endpoint is not there; ``PmParseError`` for cursors that cycle, a page of only
        already-seen events, or an event or market the decoder refuses."""
        from .gamma import read_events

        flag = _convert.check_bool(closed, "closed")

        def work() -> "List[GammaEvent]":
            out = _ffi.GammaEventsP()
            with self._use() as client:
                _ffi.pm_client_fetch_events(client, flag, ctypes.byref(out))
            try:
                return read_events(out)
            finally:
                _ffi.pm_gamma_events_free(out)

        return self._run(work)

    def fetch_market(self, condition_id: str) -> Optional[Market]:
        """The market with this condition id, or None when Gamma has none."""
        keep: List[bytes] = []
        encoded = _convert.encode(condition_id, "condition_id", keep)

        def work() -> Optional[Market]:
            out = _ffi.MarketP()
            with self._use() as client:
                _ffi.pm_client_fetch_market(client, encoded, ctypes.byref(out))
            if not out:
                return None
            try:
                return _read_market(out)
            finally:
                _ffi.pm_market_free(out)

        return self._run(work)

    def fetch_orderbook(self, token_id: str) -> OrderBook:
        """The token's order book, levels best first (see ``OrderBook``); levels of size 0 are
        left out. ``PmInvalidArgument`` for a token id that is not 1-78 digits (nothing is sent);
        ``PmNoOrderBook`` (a ``PmBookInvalid``) when the CLOB has no book for the token (404: a
        resolved market or an unknown token; not retried); ``PmBookInvalid`` when it sends
        ``null`` or another token's book."""
        keep: List[bytes] = []
        encoded = _convert.encode(token_id, "token_id", keep)

        def work() -> OrderBook:
            out = _ffi.BookP()
            with self._use() as client:
                _ffi.pm_client_fetch_orderbook(client, encoded, ctypes.byref(out))
            if not out:
                raise PmInternalError("pm_client_fetch_orderbook returned PM_OK without a book")
            try:
                return _read_book(out)
            finally:
                _ffi.pm_book_free(out)

        return self._run(work)

    def fetch_orderbooks(self, token_ids: Iterable[str]) -> List[OrderBook]:
        """Several books over ``POST /books`` (one request per 100 tokens), in request order;
        tokens without a book are left out of the list. ``PmBookInvalid`` when the answer holds a book of a token that was
        not requested (the whole answer is refused)."""
        if isinstance(token_ids, (str, bytes)):
            raise TypeError("token_ids must be an iterable of str, not a single string")
        keep: List[bytes] = []
        encoded = [
            _convert.encode(token, f"token_ids[{index}]", keep)
            for index, token in enumerate(token_ids)
        ]
        array = (ctypes.c_char_p * max(len(encoded), 1))(*encoded)

        def work() -> List[OrderBook]:
            out = _ffi.BooksP()
            with self._use() as client:
                _ffi.pm_client_fetch_orderbooks(client, array, len(encoded), ctypes.byref(out))
            try:
                return OrderBookList(
                    _read_book(_ffi.pm_books_at(out, index))
                    for index in range(_ffi.pm_books_count(out))
                )
            finally:
                _ffi.pm_books_free(out)

        return self._run(work)

    def fetch_trades(self, token_id: str, limit: int = 100) -> List[PolymarketTrade]:
        """Up to ``limit`` (> 0) of the token's most recent trades, newest first, **without an
        age check**: the Data API happily returns months-old prints for thin markets. For trades
        you act on use ``TradeFetcher.fetch_recent_trades`` (G1)."""
        keep: List[bytes] = []
        encoded = _convert.encode(token_id, "token_id", keep)
        count = _convert.check_int(limit, "limit", 1, _ffi.INT64_MAX)

        def work() -> List[PolymarketTrade]:
            out = _ffi.TradesP()
            with self._use() as client:
                _ffi.pm_client_fetch_trades(client, encoded, count, ctypes.byref(out))
            return read_trades(out)

        return self._run(work)

    def fetch_trade_history(
        self, condition_id: str, since: Optional[datetime] = None
    ) -> List[PolymarketTrade]:
        """Every trade of the market ``condition_id`` at or after ``since`` (an aware datetime;
        None = as far back as the tape goes), newest first, each once, from the Data API's v2
        tape. Combo (multi-leg) rows are skipped. **Not "recent trades"**: the tape is cached for
        up to five minutes; use ``TradeFetcher.fetch_recent_trades`` for trades you act on (G1).
        Bounded by the listing budget (``PmTooLargeError``, ``PmTimeoutError``); a server that
        repeats a cursor raises ``PmParseError`` rather than returning a truncated history."""
        keep: List[bytes] = []
        encoded = _convert.encode(condition_id, "condition_id", keep)
        since_ms = -1 if since is None else _convert.to_ms(since, "since", round_up=True)

        def work() -> List[PolymarketTrade]:
            out = _ffi.TradesP()
            with self._use() as client:
                _ffi.pm_client_fetch_trade_history(client, encoded, since_ms, ctypes.byref(out))
            return read_trades(out)

        return self._run(work)

    def fetch_price_history(
        self,
        token_id: str,
        start: datetime,
        end: Optional[datetime] = None,
        bucket_seconds: Optional[int] = None,
    ) -> List["PricePoint"]:
        """The token's prices with ``start <= timestamp < end`` (aware datetimes; ``end`` None =
        now), oldest first, each timestamp once, as ``PricePoint`` objects (aware ``timestamp``,
        ``Decimal`` ``price``). A range over 15 days is asked as consecutive 15-day windows and
        joined. ``bucket_seconds`` (>= 1) asks for that spacing; None lets the server choose."""
        from .prices import read_points

        keep: List[bytes] = []
        encoded = _convert.encode(token_id, "token_id", keep)
        start_ms = _convert.to_ms(start, "start", round_up=True)
        end_ms = 0 if end is None else _convert.to_ms(end, "end", round_up=True)
        if end is not None and end_ms <= 0:
            raise ValueError("end must be after the epoch")
        bucket = 0 if bucket_seconds is None else _convert.check_int(bucket_seconds, "bucket_seconds", 1, _ffi.INT64_MAX)

        def work() -> List["PricePoint"]:
            out = _ffi.PricePointsP()
            with self._use() as client:
                _ffi.pm_client_fetch_price_history(client, encoded, start_ms, end_ms, bucket, ctypes.byref(out))
            return read_points(out)

        return self._run(work)

    def fetch_price_histories(
        self,
        token_ids: Iterable[str],
        start: datetime,
        end: Optional[datetime] = None,
        fidelity_minutes: Optional[int] = None,
    ) -> Dict[str, List["PricePoint"]]:
        """The prices of several tokens with ``start <= timestamp <= end`` (``end`` None = now),
        by token id, oldest first; one batch request per 20 tokens. Every asked token is a key
        (an empty list when the server has no points). ``fidelity_minutes`` (>= 1) asks for that
        spacing."""
        from .prices import read_points

        if isinstance(token_ids, (str, bytes)):
            raise TypeError("token_ids must be an iterable of token ids, not a single string")
        keep: List[bytes] = []
        tokens = list(token_ids)
        encoded = [_convert.encode(t, f"token_ids[{i}]", keep) for i, t in enumerate(tokens)]
        start_ms = _convert.to_ms(start, "start", round_up=True)
        end_ms = 0 if end is None else _convert.to_ms(end, "end")
        if end is not None and end_ms <= 0:
            raise ValueError("end must be after the epoch")
        fidelity = 0 if fidelity_minutes is None else _convert.check_int(fidelity_minutes, "fidelity_minutes", 1, 2**31 - 1)
        array = (ctypes.c_char_p * max(1, len(encoded)))(*encoded)

        def work() -> Dict[str, List["PricePoint"]]:
            out = _ffi.PricePointsP()
            with self._use() as client:
                _ffi.pm_client_fetch_price_histories(client, array if encoded else None, len(encoded), start_ms,
                                                     end_ms, fidelity, ctypes.byref(out))
            result: Dict[str, List["PricePoint"]] = {t: PricePointList() for t in tokens}
            for point in read_points(out):
                result.setdefault(point.token_id, PricePointList()).append(point)
            return result

        return self._run(work)

    def fetch_prices(self, token_ids: Iterable[str], side: str) -> Dict[str, Decimal]:
        """The best price on ``side`` of each token's book ("BUY": the best bid, "SELL": the best
        ask), ``{token id: Decimal}``; one ``POST /prices`` per 100 tokens. Tokens without a
        price are absent (never 0). ``ValueError`` for a bad side or token id (before any request)."""
        from .batch_prices import encode_tokens, price_only, read_rows, side_value

        wanted = side_value(side)
        array, count, _keep = encode_tokens(token_ids)

        def work() -> Dict[str, Decimal]:
            out = _ffi.TokenPricesP()
            with self._use() as client:
                _ffi.pm_client_fetch_prices(client, array if count else None, count, wanted, ctypes.byref(out))
            return read_rows(out, price_only)

        return self._run(work)

    def fetch_midpoints(self, token_ids: Iterable[str]) -> Dict[str, Decimal]:
        """Each token's midpoint (mean of best bid and best ask), ``{token id: Decimal}``; one
        ``POST /midpoints`` per 100 tokens. Tokens without one are absent."""
        from .batch_prices import encode_tokens, price_only, read_rows

        array, count, _keep = encode_tokens(token_ids)

        def work() -> Dict[str, Decimal]:
            out = _ffi.TokenPricesP()
            with self._use() as client:
                _ffi.pm_client_fetch_midpoints(client, array if count else None, count, ctypes.byref(out))
            return read_rows(out, price_only)

        return self._run(work)

    def fetch_last_trade_prices(self, token_ids: Iterable[str]) -> Dict[str, "LastTradePrice"]:
        """Each token's last trade, ``{token id: LastTradePrice(price, side)}``; one
        ``POST /last-trades-prices`` per 100 tokens. Tokens without a trade are absent."""
        from .batch_prices import encode_tokens, last_trade, read_rows

        array, count, _keep = encode_tokens(token_ids)

        def work() -> Dict[str, "LastTradePrice"]:
            out = _ffi.TokenPricesP()
            with self._use() as client:
                _ffi.pm_client_fetch_last_trade_prices(client, array if count else None, count, ctypes.byref(out))
            return read_rows(out, last_trade)

        return self._run(work)

    def cancel(self) -> None:
        """Cancels every call in progress on this client, from any thread: they raise
        ``PmCancelled`` at once, without retrying. Calls started later run normally.
        A no-op on a closed client."""
        self._cancel_quietly()

    def close(self) -> None:
        """Cancels the calls in progress (they raise ``PmCancelled``), waits for them to end,
        closes the client's fetchers, and stops the client. Safe to call more than once."""
        guard = self._guard
        if guard is not None:
            guard.close(interrupt=_ffi.pm_client_cancel, before_free=self._close_children)

    def _close_children(self) -> None:
        # No call is in progress any more (fetcher calls count as calls on the client too).
        with self._children_lock:
            children = list(self._children)
            self._children.clear()
        for child in children:
            child.close()

    def __enter__(self) -> "PolymarketClient":
        if self.closed:
            raise ValueError("client is closed")
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self) -> None:
        # Fallback only. Children hold a strong reference to the client, so none is alive here.
        guard = getattr(self, "_guard", None)
        if guard is not None:
            guard.free_unreachable()

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        gamma, clob, data = getattr(self, "_urls", (None, None, None))
        return f"<pmingest.PolymarketClient gamma={gamma!r} clob={clob!r} data={data!r} ({state})>"


def require_client(client: object) -> PolymarketClient:
    if not isinstance(client, PolymarketClient):
        raise TypeError(f"expected a pmingest.PolymarketClient, not {type(client).__name__}")
    return client
