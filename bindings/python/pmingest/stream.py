"""The market channel: live price updates (and every other event) over the library's WebSocket.

A thin layer over ``pm_stream_*`` / ``pm_event_*`` in ``include/pmingest.h``. The library owns the
socket (libwebsockets on its own thread): PING/PONG heartbeat, the per-asset silence watchdog,
reconnect with backoff, resubscription, and the decoding of the real wire formats. This module
**pulls** events from the library's bounded queue on the consumer's own thread; no Python code
ever runs on a library thread, and no callback is registered.

Two views of one queue:

* ``WebSocketClient.receive()`` / ``for update in client`` / ``async for update in client`` give
  **price updates** only (``PriceUpdate``, and typed so): ``last_trade_price`` events, and the
  brief's simplified top-level ``{"type":"price_change","asset_id":…,"price":…}``. Every other
  event is skipped (and freed) on the way; skipped events still update the local books.
  Order-book level changes (``price_change`` with ``price_changes[]``) are never price updates:
  a new ask resting at 0.95 is not a trade at 0.95.
* ``WebSocketClient.receive_event()`` / ``client.events()`` give **every** event as a
  ``StreamEvent``: book snapshots (levels best first), level changes, trades, tick-size changes,
  best bid/ask, new/resolved markets, and ``reconnected`` (continuity lost: distrust local books
  until the next ``book`` snapshot).

Blocking calls wait in short slices (``SLICE_MS``), so Ctrl-C (``KeyboardInterrupt``) lands within
one slice, and ``close()`` from any thread wakes a blocked consumer. An event that was already
pulled when an interrupt or a task cancellation arrives is kept and handed out by the next call.
"""

from __future__ import annotations

import asyncio
import atexit
import collections
import ctypes
import functools
import math
import threading
import time
import weakref
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any, ContextManager, Deque, Dict, Generic, Iterable, List, Optional, Tuple, TypeVar

from . import _blocking, _convert, _ffi
from .client import OrderBook, PolymarketClient, _read_book, require_client
from .health import StreamHealth, read_health
from .errors import PmCancelled, PmInternalError

__all__ = [
    "WebSocketClient",
    "PriceUpdate",
    "StreamEvent",
    "LevelChange",
]

#: Longest single wait inside the library; bounds how late Ctrl-C and a task cancellation land.
SLICE_MS = 200

#: Events taken from the library per call (pm_stream_next_batch): a backlog costs one call.
BATCH = 256

_OVERFLOW_POLICIES = {"drop_oldest": _ffi.PM_OVERFLOW_DROP_OLDEST, "pause": _ffi.PM_OVERFLOW_PAUSE}

_PRICE_UPDATE_KINDS = (_ffi.PM_EVENT_LAST_TRADE_PRICE, _ffi.PM_EVENT_LEGACY_PRICE_CHANGE)


# ---------------------------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PriceUpdate:
    """A trade-price signal from the stream: "``token_id`` traded at ``price`` at ``timestamp``".

    **It has no size, by design (G3).** The stream is not a reliable source of trade size (the
    brief's feed sent none, and the real ``last_trade_price`` only sometimes does), yet the size
    filter (e.g. size >= 50) decides whether a signal is worth acting on. A size that is
    sometimes there invites code that silently treats "absent" as "small" or "large", so this
    class has no ``size`` attribute at all. Back-fill the size over REST with
    ``TradeFetcher.fetch_trade_size_at_price(token_id, price)`` (which also applies the G1
    freshness check), or let an ``EventProcessor`` do it. Code that knowingly wants the stream's
    own optional size reads ``StreamEvent.trade_size`` from ``receive_event()``.

    ``price`` is an exact ``Decimal``; ``timestamp`` is an aware UTC ``datetime`` (the server's
    trade time; for the brief's legacy frame that carries no time, the moment the binding pulled
    the event); ``condition_id`` is the market when the event named it.
    """

    token_id: str
    price: Decimal
    timestamp: datetime
    condition_id: Optional[str] = None

    def __post_init__(self) -> None:
        if not isinstance(self.token_id, str):
            raise TypeError(f"token_id must be str, not {type(self.token_id).__name__}")
        if not isinstance(self.price, Decimal):
            raise TypeError(
                f"price must be Decimal, not {type(self.price).__name__} (prices are exact)"
            )
        if not isinstance(self.timestamp, datetime) or self.timestamp.utcoffset() is None:
            raise TypeError("timestamp must be an aware datetime (UTC)")
        if self.condition_id is not None and not isinstance(self.condition_id, str):
            raise TypeError("condition_id must be str or None")


@dataclass(frozen=True)
class LevelChange:
    """One order-book level change of a ``price_change`` event: the level ``price`` on ``side``
    ("BUY" = bids, "SELL" = asks) of ``token_id`` now holds ``size`` in total (``0`` removes
    it). A level change is not a trade."""

    token_id: str
    side: str
    price: Decimal
    size: Decimal


class _NativeEvent:
    """Owns one ``pm_event *`` from pm_stream_next; frees it when the last reference goes.
    Kept inside the StreamEvent made from it so that ``EventProcessor.process`` can hand the
    library's own event back to ``pm_processor_process``."""

    __slots__ = ("_ptr",)

    def __init__(self, ptr: "ctypes._Pointer[Any]") -> None:
        self._ptr: Optional["ctypes._Pointer[Any]"] = ptr

    @property
    def pointer(self) -> "ctypes._Pointer[Any]":
        if self._ptr is None:
            raise ValueError("the native event was released")
        return self._ptr

    def free(self) -> None:
        ptr, self._ptr = self._ptr, None
        if ptr:
            _ffi.pm_event_free(ptr)

    def __del__(self) -> None:
        try:
            self.free()
        except Exception:  # interpreter shutdown may have torn ctypes down already
            pass


@dataclass(frozen=True)
class StreamEvent:
    """One event of the market channel, as pulled by ``WebSocketClient.receive_event()``.

    * ``type``: the wire name (``"book"``, ``"price_change"``, ``"last_trade_price"``,
      ``"tick_size_change"``, ``"best_bid_ask"``, ``"new_market"``, ``"market_resolved"``), or
      ``"reconnected"`` when continuity was lost (a reconnect, or events dropped on queue
      overflow; ``detail`` says which). Both the current level-change schema and the brief's
      legacy trade-price form are ``"price_change"``; ``is_price_update`` tells them apart.
    * ``token_id``: the asset, None when the event has none or several (see ``changes``).
    * ``timestamp``: server time (aware UTC), None when the event carried none.
    * ``price``: the trade price (``last_trade_price``, legacy ``price_change``) or the new tick
      (``tick_size_change``); else None.
    * ``trade_size``: the stream's own size of a ``last_trade_price`` when the feed sent one,
      else None. Its absence is normal (G3): see ``PriceUpdate``.
    * ``side``: "BUY"/"SELL" of a ``last_trade_price`` when sent.
    * ``best_bid`` / ``best_ask``: of ``best_bid_ask`` (None for an empty side).
    * ``book``: the snapshot of a ``book`` event, levels **best first** (``client.OrderBook``).
    * ``changes``: the level changes of a ``price_change`` (``LevelChange``); empty otherwise.
    * ``detail``: why continuity was lost (``reconnected``), the winning asset
      (``market_resolved``) or the question (``new_market``).
    * ``received_at``: when the binding pulled the event from the library (aware UTC).
    * ``reconnect_token_ids``: for ``reconnected``, the assets whose continuity was lost (the
      reconnected socket's, or those moved between sockets); empty means every asset (a queue
      overflow), and for other types.

    Events from ``receive_event()`` keep the library's event alive (freed with the object), so
    ``EventProcessor.process`` can use it; a copy made with ``dataclasses.replace`` cannot be
    processed.
    """

    type: str
    token_id: Optional[str] = None
    condition_id: Optional[str] = None
    timestamp: Optional[datetime] = None
    price: Optional[Decimal] = None
    trade_size: Optional[Decimal] = None
    side: Optional[str] = None
    best_bid: Optional[Decimal] = None
    best_ask: Optional[Decimal] = None
    book: Optional[OrderBook] = None
    changes: Tuple[LevelChange, ...] = ()
    detail: Optional[str] = None
    received_at: Optional[datetime] = None
    reconnect_token_ids: Tuple[str, ...] = ()
    _native: Optional[_NativeEvent] = field(
        default=None, init=False, repr=False, compare=False, hash=False
    )

    @property
    def is_price_update(self) -> bool:
        """True for the trade-price signals: ``last_trade_price`` and the brief's legacy
        top-level ``price_change`` (which has a price and no level changes)."""
        if self.type == "last_trade_price":
            return self.price is not None
        return self.type == "price_change" and self.price is not None and not self.changes

    @property
    def is_reconnect(self) -> bool:
        """Continuity was lost: local books are unreliable until their next ``book`` event."""
        return self.type == "reconnected"

    @property
    def price_update(self) -> Optional[PriceUpdate]:
        """The ``PriceUpdate`` of a trade-price event (no size: G3), else None. A legacy frame
        without a wire timestamp is stamped with ``received_at``."""
        if not self.is_price_update or not self.token_id or self.price is None:
            return None
        stamp = self.timestamp if self.timestamp is not None else self.received_at
        if stamp is None:
            return None
        return PriceUpdate(self.token_id, self.price, stamp, self.condition_id)


_SIDE_NAMES = {_ffi.PM_SIDE_BID: "BUY", _ffi.PM_SIDE_ASK: "SELL"}


_POINTER_SIZE = ctypes.sizeof(ctypes.c_void_p)


def _own(batch: Any, index: int) -> "ctypes._Pointer[Any]":
    """A copy of pointer `index` of the batch array (indexing the array itself would give a view
    of its memory, which the next batch overwrites)."""
    return _ffi.EventP.from_buffer_copy(batch, index * _POINTER_SIZE)


def _optional_decimal(raw: Optional[bytes]) -> Optional[Decimal]:
    return _convert.parse_optional_decimal_text(raw)


def _read_event(native: _NativeEvent, received_at: datetime) -> StreamEvent:
    ptr = native.pointer
    book_ptr = _ffi.pm_event_book(ptr)  # borrowed from the event: copied at once
    changes = tuple(
        LevelChange(
            token_id=_ffi.text(_ffi.pm_event_change_token_id(ptr, index)),
            side=_SIDE_NAMES.get(_ffi.pm_event_change_side(ptr, index), "BUY"),
            price=_convert.parse_decimal_text(_ffi.pm_event_change_price(ptr, index)),
            size=_convert.parse_decimal_text(_ffi.pm_event_change_size(ptr, index)),
        )
        for index in range(_ffi.pm_event_change_count(ptr))
    )
    event = StreamEvent(
        type=_ffi.text(_ffi.pm_event_type_name(ptr)),
        token_id=_ffi.optional_text(_ffi.pm_event_token_id(ptr)),
        condition_id=_ffi.optional_text(_ffi.pm_event_condition_id(ptr)),
        timestamp=_convert.optional_from_ms(_ffi.pm_event_timestamp_ms(ptr)),
        price=_optional_decimal(_ffi.pm_event_price(ptr)),
        trade_size=_optional_decimal(_ffi.pm_event_trade_size(ptr)),
        side=_ffi.optional_text(_ffi.pm_event_side(ptr)),
        best_bid=_optional_decimal(_ffi.pm_event_best_bid(ptr)),
        best_ask=_optional_decimal(_ffi.pm_event_best_ask(ptr)),
        book=_read_book(book_ptr) if book_ptr else None,
        changes=changes,
        detail=_ffi.optional_text(_ffi.pm_event_detail(ptr)),
        received_at=received_at,
        reconnect_token_ids=tuple(
            _ffi.text(_ffi.pm_event_reconnect_token_id(ptr, index))
            for index in range(_ffi.pm_event_reconnect_token_count(ptr))
        ),
    )
    object.__setattr__(event, "_native", native)
    return event


def _read_price_update(native: _NativeEvent, received_at: datetime) -> PriceUpdate:
    ptr = native.pointer
    stamp = _convert.optional_from_ms(_ffi.pm_event_timestamp_ms(ptr))
    return PriceUpdate(
        token_id=_ffi.text(_ffi.pm_event_token_id(ptr)),
        price=_convert.parse_decimal_text(_ffi.pm_event_price(ptr)),
        timestamp=stamp if stamp is not None else received_at,
        condition_id=_ffi.optional_text(_ffi.pm_event_condition_id(ptr)),
    )


def _is_price_update(ptr: "ctypes._Pointer[Any]") -> bool:
    # By kind, as the header defines a price update (LAST_TRADE_PRICE, LEGACY_PRICE_CHANGE).
    return _ffi.pm_event_get_type(ptr) in _PRICE_UPDATE_KINDS and bool(_ffi.pm_event_price(ptr))


# ---------------------------------------------------------------------------------------------
# The client
# ---------------------------------------------------------------------------------------------

#: One pulled event: the owned native event and when it was pulled.
_Pulled = Tuple[_NativeEvent, datetime]


class _Closed(Exception):
    """Internal: the stream was closed while a consumer waited."""


def _closed_error() -> PmCancelled:
    error = _ffi.error(_ffi.PM_E_CANCELLED, "the stream was closed while waiting")
    assert isinstance(error, PmCancelled)  # the class mapped to PM_E_CANCELLED
    return error


_live: "weakref.WeakSet[WebSocketClient]" = weakref.WeakSet()


@atexit.register
def _close_live_streams() -> None:
    """Stops every open stream before interpreter finalization (its threads then end cleanly)."""
    for client in list(_live):
        try:
            client.close()
        except Exception:
            pass


class WebSocketClient:
    """A subscription to the Polymarket market channel.

    ``url`` defaults to ``wss://ws-subscriptions-clob.polymarket.com/ws/market``; point it at a
    proxy or the test server. The library sends ``PING`` every ``ping_interval_ms`` and expects
    ``PONG`` within ``pong_timeout_ms``; an asset silent for ``asset_silence_timeout_ms`` (0 =
    off) while PONGs continue is the feed's known stall. Either way, and on any drop, the socket
    is closed, re-opened with backoff, every asset resubscribed, and a ``reconnected`` event is
    delivered. One client is a pool of sockets: at most ``max_assets_per_connection`` assets on
    each (default 200; the server closes a socket holding more than about 500), opened
    ``connect_stagger_ms`` apart, subscription frames of at most ``subscription_chunk_size``
    assets; a socket's reconnect names only its assets (``StreamEvent.reconnect_token_ids``), and
    ``health()`` shows every socket and asset. At most ``queue_capacity`` events, and at most ``queue_max_bytes`` of their
    estimated memory (default 64 MiB: big book snapshots weigh far more than trade prints), wait
    for the consumer; on overflow (``overflow="drop_oldest"``, the default) the oldest are dropped
    (counted in ``stats()["dropped"]``) and a ``reconnected`` gap marker follows. With
    ``overflow="pause"`` nothing is dropped: a full queue stops the library reading the socket
    until the consumer has taken half of it (PINGs keep going out; ``stats()["pauses"]`` counts
    the pauses), and a socket paused longer than ``max_paused_ms`` (0 = no limit) counts as lost:
    reconnected, with a ``reconnected`` event. For recorders and research scripts. ``stats()["queued_bytes"]`` and
    ``stats()["queued_bytes_peak"]`` show what the queue holds now and has held at most.

    Typical use::

        with WebSocketClient(url) as client:
            client.connect()
            client.subscribe([yes_token, no_token])
            for update in client:              # PriceUpdates; ends when closed
                ...

    ``connect()`` blocks until the socket is open (``PmNetworkError``, ``PmTimeoutError``).
    ``subscribe`` works before or after connecting. Consumers: one thread at a time pulls (the
    pulls are serialized here); ``close()`` may be called from any thread and wakes it. After
    ``close()`` every call raises ``ValueError``, except ``close()``, ``is_connected`` (False)
    and ``stats()`` (the final counters). A call that was waiting when ``close()`` came raises
    ``PmCancelled`` (iteration just ends).
    """

    def __init__(
        self,
        url: Optional[str] = None,
        *,
        ping_interval_ms: int = 10_000,
        pong_timeout_ms: int = 30_000,
        asset_silence_timeout_ms: int = 120_000,
        queue_capacity: int = 10_000,
        max_message_bytes: int = 8 * 1024 * 1024,
        verify_tls: bool = True,
        queue_max_bytes: int = 64 * 1024 * 1024,
        max_assets_per_connection: int = 200,
        connect_stagger_ms: int = 250,
        subscription_chunk_size: int = 100,
        overflow: str = "drop_oldest",
        max_paused_ms: int = 60_000,
    ) -> None:
        self._guard: Optional[_blocking.Guard] = None  # set last: __del__ may see a half-made object
        if url is not None and not isinstance(url, str):
            raise TypeError(f"url must be str or None, not {type(url).__name__}")
        keep: List[bytes] = []
        options = _ffi.StreamOptions()
        _ffi.pm_stream_options_init(ctypes.byref(options), _ffi.PM_STREAM_OPTIONS_VERSION)
        options.url = _convert.encode_optional(url, "url", keep)
        options.ping_interval_ms = _convert.check_int(
            ping_interval_ms, "ping_interval_ms", 1, _ffi.INT32_MAX
        )
        options.pong_timeout_ms = _convert.check_int(
            pong_timeout_ms, "pong_timeout_ms", 1, _ffi.INT32_MAX
        )
        options.asset_silence_timeout_ms = _convert.check_int(
            asset_silence_timeout_ms, "asset_silence_timeout_ms", 0, _ffi.INT32_MAX
        )
        options.queue_capacity = _convert.check_int(
            queue_capacity, "queue_capacity", 1, _ffi.INT32_MAX
        )
        options.max_message_bytes = _convert.check_int(
            max_message_bytes, "max_message_bytes", 1, _ffi.INT64_MAX
        )
        options.verify_tls = _convert.check_bool(verify_tls, "verify_tls")
        options.queue_max_bytes = _convert.check_int(
            queue_max_bytes, "queue_max_bytes", 1, _ffi.INT64_MAX
        )
        # The pool (docs/wire/market-channel.md); the library checks the ranges.
        options.max_assets_per_connection = _convert.check_int(
            max_assets_per_connection, "max_assets_per_connection", 1, _ffi.INT32_MAX
        )
        options.connect_stagger_ms = _convert.check_int(
            connect_stagger_ms, "connect_stagger_ms", 0, _ffi.INT32_MAX
        )
        options.subscription_chunk_size = _convert.check_int(
            subscription_chunk_size, "subscription_chunk_size", 1, _ffi.INT32_MAX
        )
        if not isinstance(overflow, str):
            raise TypeError(f"overflow must be str, not {type(overflow).__name__}")
        if overflow not in _OVERFLOW_POLICIES:
            raise ValueError(f'overflow must be "drop_oldest" or "pause", not {overflow!r}')
        options.overflow_policy = _OVERFLOW_POLICIES[overflow]
        options.max_paused_ms = _convert.check_int(max_paused_ms, "max_paused_ms", 0, _ffi.INT32_MAX)
        out = _ffi.StreamP()
        _ffi.pm_stream_new(ctypes.byref(options), ctypes.byref(out))
        if not out:
            raise PmInternalError("pm_stream_new returned PM_OK without a stream")
        self._url = url
        self._closing = False
        self._final_stats: Optional[Dict[str, int]] = None
        # Serializes the pulls (pm_stream_next wants one consumer at a time).
        self._consumer = threading.Lock()
        # Events pulled but not handed out (an interrupt or a cancellation came in between).
        self._pending: Deque[_Pulled] = collections.deque()
        self._pending_lock = threading.Lock()
        self._batch = (_ffi.EventP * BATCH)()
        self._batch_n = ctypes.c_size_t(0)
        self._guard = _blocking.Guard(out, _ffi.pm_stream_free, "stream")
        _live.add(self)

    # ---- plumbing -----------------------------------------------------------------------------

    def _use(self) -> ContextManager["ctypes._Pointer[Any]"]:
        if self._guard is None or self._closing:
            raise ValueError("stream is closed")
        return self._guard.use()

    def _check_open(self) -> None:
        if self._guard is None or self._closing or self._guard.closed:
            raise ValueError("stream is closed")

    def _interrupt(self) -> None:
        """Ctrl-C during connect(): closes the stream (the only way to abort a connect)."""
        self._closing = True
        guard = self._guard
        if guard is not None:
            try:
                with guard.use() as stream:
                    _ffi.pm_stream_close(stream)
            except ValueError:
                pass

    def _give_back(self, item: _Pulled) -> None:
        with self._pending_lock:
            self._pending.appendleft(item)

    def _take_pending(self, want_price: bool) -> Optional[_Pulled]:
        with self._pending_lock:
            while self._pending:
                item = self._pending.popleft()
                if not want_price or _is_price_update(item[0].pointer):
                    return item
                item[0].free()
        return None

    def _pull(
        self,
        timeout: Optional[float],
        want_price: bool,
        stop: Optional[threading.Event] = None,
        batch: Optional[int] = None,
    ) -> Optional[_Pulled]:
        """The next event (only price updates when want_price; the others are freed on the way),
        or None when `timeout` seconds passed or `stop` was set. Raises _Closed when the stream
        is closed meanwhile. Waits in slices of at most SLICE_MS. Takes up to `batch` events
        from the library at once; by default BATCH for price updates (the others are skipped
        anyway) and 1 for every event (the local books then match what was handed out)."""
        if batch is None:
            batch = BATCH if want_price else 1
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            with self._consumer:
                item = self._take_pending(want_price)
                if item is not None:
                    return item
                if deadline is None:
                    slice_ms = SLICE_MS
                else:
                    remaining_ms = math.ceil((deadline - time.monotonic()) * 1000)
                    slice_ms = max(0, min(SLICE_MS, remaining_ms))
                if self._fill_pending(slice_ms, batch):
                    if stop is not None and stop.is_set():
                        return None
                    continue  # hand out (or skip) what came, without waiting
            # an empty slice: check the deadline and the stop flag outside the lock
            if stop is not None and stop.is_set():
                return None
            if deadline is not None and time.monotonic() >= deadline:
                return None

    def _fill_pending(self, slice_ms: int, max_n: int) -> bool:
        """Consumer lock held, nothing pending: waits up to `slice_ms` and moves up to `max_n`
        (at most BATCH) events from the library into `_pending` (one call for a backlog).
        Returns whether any came. Raises _Closed when the stream is closed."""
        batch, n = self._batch, self._batch_n
        n.value = 0
        taken = 0
        try:
            try:
                with self._use() as stream:
                    _ffi.pm_stream_next_batch(stream, slice_ms, batch, max(1, min(BATCH, max_n)), ctypes.byref(n))
            except (ValueError, PmCancelled):
                raise _Closed() from None
            count = n.value
            if count == 0:
                return False
            received_at = datetime.now(timezone.utc)
            items = [(_NativeEvent(_own(batch, i)), received_at) for i in range(count)]
            taken = count
            with self._pending_lock:
                self._pending.extend(items)
            return True
        except BaseException:
            # KeyboardInterrupt (or anything else) after the events left the library: keep
            # them for the next call instead of losing them.
            count = n.value
            if taken < count:
                stamp = datetime.now(timezone.utc)
                with self._pending_lock:
                    self._pending.extend((_NativeEvent(_own(batch, i)), stamp) for i in range(count))
                n.value = 0
            raise

    @staticmethod
    def _check_timeout(timeout: Optional[float]) -> Optional[float]:
        if timeout is None:
            return None
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float, Decimal)):
            raise TypeError(f"timeout must be a number of seconds or None, not {type(timeout).__name__}")
        if timeout < 0:
            raise ValueError("timeout must be >= 0 seconds (or None to wait without limit)")
        return float(timeout)

    # ---- API ----------------------------------------------------------------------------------

    @property
    def url(self) -> Optional[str]:
        """The channel URL given (None: the library's default, the production feed)."""
        return self._url

    @property
    def closed(self) -> bool:
        return self._guard is None or self._closing or self._guard.closed

    @property
    def is_connected(self) -> bool:
        """True while the socket is open (False during a reconnect's backoff and after close)."""
        guard = self._guard
        if guard is None or self._closing:
            return False
        try:
            with guard.use() as stream:
                return bool(_ffi.pm_stream_is_connected(stream))
        except ValueError:
            return False

    def connect(self) -> None:
        """Connects and blocks until the socket is open. Later drops are handled by the library
        (reconnect + resubscribe); a second call returns at once. Errors: ``PmNetworkError``
        (refused, handshake rejected, TLS), ``PmTimeoutError``. Ctrl-C on the main thread
        aborts the attempt and closes the client."""
        self._check_open()

        def work() -> None:
            try:
                with self._use() as stream:
                    _ffi.pm_stream_connect(stream)
            except PmCancelled:
                if self._closing:
                    raise _closed_error() from None
                raise

        _blocking.interruptible(self._interrupt, work)

    def _token_array(
        self, token_ids: Iterable[str], keep: List[bytes]
    ) -> Tuple["ctypes.Array[ctypes.c_char_p]", int]:
        if isinstance(token_ids, (str, bytes)):
            raise TypeError("token_ids must be an iterable of str, not a single string")
        encoded = [
            _convert.encode(token, f"token_ids[{index}]", keep)
            for index, token in enumerate(token_ids)
        ]
        return (ctypes.c_char_p * max(len(encoded), 1))(*encoded), len(encoded)

    def subscribe(self, token_ids: Iterable[str]) -> None:
        """Adds assets (token ids, decimal strings). Before ``connect()`` they go out with the
        first connection; afterwards on the open socket. Every reconnect resubscribes them all.
        Never blocks."""
        keep: List[bytes] = []
        array, count = self._token_array(token_ids, keep)
        with self._use() as stream:
            _ffi.pm_stream_subscribe(stream, array, count)

    def unsubscribe(self, token_ids: Iterable[str]) -> None:
        """Removes assets from the subscription (ids not subscribed are ignored)."""
        keep: List[bytes] = []
        array, count = self._token_array(token_ids, keep)
        with self._use() as stream:
            _ffi.pm_stream_unsubscribe(stream, array, count)

    def watch_resolutions(self, client: Optional[PolymarketClient], interval_s: float = 60) -> None:
        """Confirms resolutions by polling Gamma through ``client`` every ``interval_s`` seconds
        (the first round at once) for the markets of the subscribed tokens: the socket's
        ``market_resolved`` is not reliably delivered and never replayed. Each market's
        resolution arrives once, as a ``market_resolved`` event (``condition_id``; ``detail`` =
        the winning token), whichever of the socket and the poll saw it first; a closed market
        counts once exactly one outcome is priced 1. A second call replaces the first;
        ``interval_s=0`` stops polling (``client`` may then be None); ``close()`` stops it too.
        ``PmInvalidArgument`` for an interval below 0.1 s other than 0; ``PmMisuse`` once
        closed."""
        if isinstance(interval_s, bool) or not isinstance(interval_s, (int, float)):
            raise TypeError(f"interval_s must be a number of seconds, not {type(interval_s).__name__}")
        if not math.isfinite(interval_s) or not 0 <= interval_s * 1000 <= _ffi.INT32_MAX:
            raise _convert._invalid(f"interval_s {interval_s} is out of range")
        interval_ms = int(round(interval_s * 1000))
        if interval_ms == 0 and interval_s == 0:
            with self._use() as stream:
                _ffi.pm_stream_set_resolution_poll(stream, None, 0)
            return
        client = require_client(client)
        with client._use() as handle, self._use() as stream:
            _ffi.pm_stream_set_resolution_poll(stream, handle, max(1, interval_ms))

    def receive(self, timeout: Optional[float] = None) -> PriceUpdate:
        """The next **price update**, skipping every other event. Blocks until one arrives;
        with ``timeout`` (seconds), raises ``TimeoutError`` when it passes first.
        ``PmCancelled`` when ``close()`` ends the wait. The update has no size (G3)."""
        self._check_open()
        try:
            item = self._pull(self._check_timeout(timeout), want_price=True)
        except _Closed:
            raise _closed_error() from None
        if item is None:
            raise TimeoutError(f"no price update within {timeout} s")
        native, received_at = item
        try:
            return _read_price_update(native, received_at)
        finally:
            native.free()

    def receive_event(self, timeout: Optional[float] = None) -> Optional[StreamEvent]:
        """The next event of any kind; None when ``timeout`` (seconds) passes first (``0``:
        just look). ``PmCancelled`` when ``close()`` ends the wait."""
        self._check_open()
        try:
            item = self._pull(self._check_timeout(timeout), want_price=False)
        except _Closed:
            raise _closed_error() from None
        if item is None:
            return None
        return _read_event(*item)

    def receive_events(self, max_n: int = BATCH, timeout: Optional[float] = None) -> List[StreamEvent]:
        """Up to ``max_n`` events of any kind at once: waits (as ``receive_event``) for the
        first, then takes what is already queued behind it, in order. ``[]`` when ``timeout``
        (seconds) passes first (``0``: just look). ``PmCancelled`` when ``close()`` ends the wait.
        The fast way to drain a busy stream."""
        self._check_open()
        max_n = _convert.check_int(max_n, "max_n", 1, _ffi.INT32_MAX)
        try:
            first = self._pull(self._check_timeout(timeout), want_price=False, batch=max_n)
        except _Closed:
            raise _closed_error() from None
        if first is None:
            return []
        out = [_read_event(*first)]
        with self._consumer:
            with self._pending_lock:
                more = [self._pending.popleft() for _ in range(min(max_n - 1, len(self._pending)))]
            out.extend(_read_event(*item) for item in more)
        return out

    def events(self) -> "_Events":
        """Every event (``StreamEvent``: books, level changes, trades, reconnects, …), as a
        blocking iterator (``for event in client.events()``) or an async one (``async for event
        in client.events()``). Ends when the client is closed."""
        self._check_open()
        return _Events(self)

    def __iter__(self) -> "_PriceUpdates":
        """Price updates (``PriceUpdate`` only) until the client is closed (see ``receive``).
        Every other event is skipped for this iterator (it still updates the local books,
        ``book()``); iterate ``events()`` to see them."""
        self._check_open()
        return _PriceUpdates(self)

    def __aiter__(self) -> "_PriceUpdates":
        """Price updates (``PriceUpdate`` only) until the client is closed, pulled on a worker
        thread so the event loop never blocks; other events are skipped as in ``__iter__``."""
        self._check_open()
        return _PriceUpdates(self)

    def book(self, token_id: str) -> Tuple[Optional[OrderBook], bool, Optional[str]]:
        """The stream's local order book of ``token_id`` (built from snapshots and level
        changes, levels best first): ``(book, valid, reason)``. ``book`` is None before the
        first snapshot. Only subscribed tokens have local books: another asset's events neither
        create nor change one, and levels of size 0 are not kept. ``valid`` is False after a
        reconnect, a queue overflow or a delta without a snapshot, until the next snapshot, and
        once the token is unsubscribed; ``reason`` then says why. The local book follows the
        events the consumer has pulled: one at a time with ``receive_event``/``events()``; with
        ``receive_events`` and the price-update views (which skip other events in batches) it
        may be up to one batch (``BATCH``) ahead of the last event handed out."""
        keep: List[bytes] = []
        encoded = _convert.encode(token_id, "token_id", keep)
        out = _ffi.BookP()
        valid = ctypes.c_bool(False)
        reason = ctypes.c_void_p()
        with self._use() as stream:
            _ffi.pm_stream_book(
                stream, encoded, ctypes.byref(out), ctypes.byref(valid), ctypes.byref(reason)
            )
        try:
            reason_text = _ffi.take_optional_string(reason)
            book = _read_book(out) if out else None
        finally:
            if out:
                _ffi.pm_book_free(out)
        return book, bool(valid.value) and book is not None, reason_text

    def _read_stats(self, stream: "ctypes._Pointer[Any]") -> Dict[str, int]:
        value = _ffi.pm_stream_stat_value
        return {
            "frames": value(stream, _ffi.PM_STREAM_STAT_FRAMES),
            "events": value(stream, _ffi.PM_STREAM_STAT_EVENTS),
            "pongs": value(stream, _ffi.PM_STREAM_STAT_PONGS),
            "reconnects": value(stream, _ffi.PM_STREAM_STAT_RECONNECTS),
            "skipped": value(stream, _ffi.PM_STREAM_STAT_SKIPPED),
            "dropped": value(stream, _ffi.PM_STREAM_STAT_DROPPED),
            "queued_bytes": value(stream, _ffi.PM_STREAM_STAT_QUEUED_BYTES),
            "queued_bytes_peak": value(stream, _ffi.PM_STREAM_STAT_QUEUED_BYTES_PEAK),
            "pauses": value(stream, _ffi.PM_STREAM_STAT_PAUSES),
            "pause_timeouts": value(stream, _ffi.PM_STREAM_STAT_PAUSE_TIMEOUTS),
        }

    def stats(self) -> Dict[str, int]:
        """Counters: frames received, events queued, pongs, reconnects, skipped frames (unknown,
        malformed, oversize, invalid UTF-8, binary), events dropped on overflow, and the queue's
        estimated bytes now and at its peak (levels, not counters). After
        ``close()``: the final values."""
        guard = self._guard
        if guard is not None and not self._closing:
            try:
                with guard.use() as stream:
                    return self._read_stats(stream)
            except ValueError:
                pass
        if self._final_stats is not None:
            return dict(self._final_stats)
        raise ValueError("stream is closed")

    def health(self) -> "StreamHealth":
        """The stream's health now (``pmingest.health``): each socket's state, each asset's
        last-event age and continuity, reconnect and gap counts, queue depth. Plain objects.
        Raises ``ValueError`` after ``close()``."""
        guard = self._guard
        if guard is None or self._closing:
            raise ValueError("stream is closed")
        with guard.use() as stream:
            return read_health(stream)

    def close(self) -> None:
        """Closes the socket, stops the library's threads and frees the stream. Wakes a
        consumer blocked in ``receive``/iteration from any thread. Idempotent."""
        guard = self._guard
        if guard is None:
            return
        self._closing = True
        try:
            with guard.use() as stream:
                _ffi.pm_stream_close(stream)  # wakes pm_stream_next at once (PM_E_CANCELLED)
                if self._final_stats is None:
                    self._final_stats = self._read_stats(stream)
        except ValueError:  # already closed by another thread
            pass
        guard.close()
        with self._pending_lock:
            pending, self._pending = list(self._pending), collections.deque()
        for native, _ in pending:
            native.free()
        _live.discard(self)

    def __enter__(self) -> "WebSocketClient":
        self._check_open()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    async def __aenter__(self) -> "WebSocketClient":
        self._check_open()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await asyncio.get_running_loop().run_in_executor(None, self.close)

    def __del__(self) -> None:
        guard = getattr(self, "_guard", None)
        if guard is not None:
            guard.free_unreachable()

    def __repr__(self) -> str:
        state = "closed" if self.closed else ("connected" if self.is_connected else "open")
        return f"<pmingest.WebSocketClient url={self._url!r} ({state})>"


_Item = TypeVar("_Item", PriceUpdate, StreamEvent)
_Self = TypeVar("_Self", bound="_Iteration[Any]")


class _Iteration(Generic[_Item]):
    """Blocking and async iteration over a client's queue; the subclass says what it yields."""

    _want_price = False

    def __init__(self, client: WebSocketClient) -> None:
        self._client = client

    def _convert(self, item: _Pulled) -> _Item:
        raise NotImplementedError

    # ---- blocking -----------------------------------------------------------------------------

    def __iter__(self: _Self) -> _Self:
        return self

    def __next__(self) -> _Item:
        if self._client.closed:
            raise StopIteration
        try:
            item = self._client._pull(None, self._want_price)
        except _Closed:
            raise StopIteration from None
        if item is None:  # cannot happen without a timeout or a stop flag
            raise StopIteration
        return self._convert(item)

    # ---- async --------------------------------------------------------------------------------

    def __aiter__(self: _Self) -> _Self:
        return self

    async def __anext__(self) -> _Item:
        client = self._client
        if client.closed:
            raise StopAsyncIteration
        stop = threading.Event()
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(
            None, functools.partial(client._pull, None, self._want_price, stop)
        )
        try:
            # shield: a cancelled task must not cancel the future, whose result (an event
            # pulled just before the cancellation) is handed back to the client below
            item = await asyncio.shield(future)
        except asyncio.CancelledError:
            stop.set()

            def give_back(done: "asyncio.Future[Optional[_Pulled]]") -> None:
                if not done.cancelled() and done.exception() is None:
                    result = done.result()
                    if result is not None:
                        client._give_back(result)

            future.add_done_callback(give_back)
            raise
        except _Closed:
            raise StopAsyncIteration from None
        if item is None:
            raise StopAsyncIteration
        return self._convert(item)


class _PriceUpdates(_Iteration[PriceUpdate]):
    """``for update in client`` / ``async for update in client``: price updates only. Every other
    event is skipped (and freed) on the way; it still updates the stream's local books."""

    _want_price = True

    def _convert(self, item: _Pulled) -> PriceUpdate:
        native, received_at = item
        try:
            return _read_price_update(native, received_at)
        finally:
            native.free()


class _Events(_Iteration[StreamEvent]):
    """``for event in client.events()`` / ``async for event in client.events()``: every event."""

    def _convert(self, item: _Pulled) -> StreamEvent:
        return _read_event(*item)
