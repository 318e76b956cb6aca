"""EventProcessor: a trade size for every price update (G3), and the size filter.

A thin layer over ``pm_processor_*`` in ``include/pmingest.h``. Stream price updates carry no
size (G3), yet the size filter (``min_size``, the brief's 50) decides whether a signal passes. For
each price-update event the library takes the stream's own size when ``last_trade_price`` carried
one (``size_source == "stream"``), otherwise back-fills it over REST from the most recent fresh
trade near the price (``"backfill"``, through the ``TradeFetcher``, G1-checked), otherwise the
size is unknown (``"none"``) and the update does not pass. A failed back-fill fails closed: it
counts as an error and the update does not pass.

The processor works on the library's own events, so ``process`` takes the ``StreamEvent`` objects
of ``WebSocketClient.receive_event()`` / ``events()`` (which keep their native event alive).
It is safe to call from many threads at once: the library holds no lock across the REST call, so
concurrent back-fills overlap.
"""

from __future__ import annotations

import contextlib
import ctypes
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ContextManager, Dict, List, Optional, Union

from . import _blocking, _convert, _ffi
from .errors import PmInternalError
from .fetcher import TradeFetcher
from .stream import PriceUpdate, StreamEvent

__all__ = ["EventProcessor", "ProcessedEvent"]

DEFAULT_MIN_SIZE = Decimal("50")

_SOURCES = {
    _ffi.PM_SIZE_NONE: "none",
    _ffi.PM_SIZE_STREAM: "stream",
    _ffi.PM_SIZE_BACKFILL: "backfill",
}


@dataclass(frozen=True)
class ProcessedEvent:
    """The verdict on one event.

    * ``passed``: the size is known and at least ``min_size``.
    * ``size``: the trade size (exact), None when unknown.
    * ``size_source``: ``"stream"`` (the ``last_trade_price`` carried it), ``"backfill"`` (found
      over REST, G3) or ``"none"``.
    * ``update``: the event's ``PriceUpdate`` (no size), None for events that are not price
      updates (book snapshots, level changes, …: never passed, never counted).
    """

    passed: bool
    size: Optional[Decimal]
    size_source: str
    update: Optional[PriceUpdate] = None


class EventProcessor:
    """Sizes and filters price updates: ``process(event) -> ProcessedEvent``.

    ``fetcher`` (a ``TradeFetcher``) enables the REST back-fill; None disables it (an update
    without a stream size then never passes). ``min_size`` is exact (``Decimal``, ``str`` or
    ``int``; never ``float``). The processor keeps the fetcher alive; closing the fetcher or its
    client makes ``process`` raise ``ValueError``. Use it as a context manager or ``close()`` it.
    """

    def __init__(
        self,
        fetcher: Optional[TradeFetcher] = None,
        min_size: Union[Decimal, str, int] = DEFAULT_MIN_SIZE,
    ) -> None:
        self._guard: Optional[_blocking.Guard] = None  # set last: __del__ may see a half-made object
        if fetcher is not None and not isinstance(fetcher, TradeFetcher):
            raise TypeError(f"fetcher must be a TradeFetcher or None, not {type(fetcher).__name__}")
        keep: List[bytes] = []
        encoded = _convert.encode_decimal(min_size, "min_size", keep)
        out = _ffi.ProcessorP()
        with contextlib.ExitStack() as stack:
            handle = None
            if fetcher is not None:
                stack.enter_context(fetcher.client._use())
                handle = stack.enter_context(fetcher._use())
            _ffi.pm_processor_new(handle, encoded, ctypes.byref(out))
        if not out:
            raise PmInternalError("pm_processor_new returned PM_OK without a processor")
        self._fetcher = fetcher
        self._min_size = Decimal(encoded.decode("utf-8"))
        self._guard = _blocking.Guard(out, _ffi.pm_processor_free, "processor")

    @property
    def fetcher(self) -> Optional[TradeFetcher]:
        return self._fetcher

    @property
    def min_size(self) -> Decimal:
        return self._min_size

    @property
    def closed(self) -> bool:
        return self._guard is None or self._guard.closed

    def _use(self) -> ContextManager["ctypes._Pointer[Any]"]:
        if self._guard is None:
            raise ValueError("processor is closed")
        return self._guard.use()

    def process(self, event: StreamEvent) -> ProcessedEvent:
        """Sizes one event (blocking for the REST back-fill when one is needed) and applies the
        filter. Events that are not price updates give ``ProcessedEvent(False, None, "none")``.
        Ctrl-C on the main thread cancels a back-fill in progress (``KeyboardInterrupt``)."""
        if not isinstance(event, StreamEvent):
            raise TypeError(f"event must be a StreamEvent, not {type(event).__name__}")
        native = event._native
        if native is None:
            raise ValueError(
                "this StreamEvent has no library event (only events from "
                "WebSocketClient.receive_event()/events() can be processed, not copies)"
            )
        update = event.price_update
        fetcher = self._fetcher

        def work() -> ProcessedEvent:
            passed = ctypes.c_bool(False)
            source = _ffi.pm_size_source(_ffi.PM_SIZE_NONE)
            size = ctypes.c_void_p()
            with contextlib.ExitStack() as stack:
                if fetcher is not None:  # keep the client and fetcher open during the call
                    stack.enter_context(fetcher.client._use())
                    stack.enter_context(fetcher._use())
                processor = stack.enter_context(self._use())
                _ffi.pm_processor_process(
                    processor,
                    native.pointer,
                    ctypes.byref(passed),
                    ctypes.byref(source),
                    ctypes.byref(size),
                )
            size_text = _ffi.take_optional_string(size)
            return ProcessedEvent(
                passed=bool(passed.value),
                size=None if size_text is None else Decimal(size_text),
                size_source=_SOURCES.get(source.value, "none"),
                update=update,
            )

        if fetcher is None:
            return work()
        return fetcher.client._run(work)

    def stats(self) -> Dict[str, int]:
        """Counters: total_processed, stream_sized, g3_backfilled, size_unknown, filtered,
        passed, errors (price updates only; other events are not counted)."""
        with self._use() as processor:
            value = _ffi.pm_processor_stat_value
            return {
                "total_processed": value(processor, _ffi.PM_PROCESSOR_STAT_TOTAL),
                "stream_sized": value(processor, _ffi.PM_PROCESSOR_STAT_STREAM_SIZED),
                "g3_backfilled": value(processor, _ffi.PM_PROCESSOR_STAT_G3_BACKFILLED),
                "size_unknown": value(processor, _ffi.PM_PROCESSOR_STAT_SIZE_UNKNOWN),
                "filtered": value(processor, _ffi.PM_PROCESSOR_STAT_FILTERED),
                "passed": value(processor, _ffi.PM_PROCESSOR_STAT_PASSED),
                "errors": value(processor, _ffi.PM_PROCESSOR_STAT_ERRORS),
            }

    def close(self) -> None:
        """Frees the processor (after calls in progress have ended). Idempotent."""
        guard = self._guard
        if guard is not None:
            guard.close()

    def __enter__(self) -> "EventProcessor":
        if self.closed:
            raise ValueError("processor is closed")
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self) -> None:
        guard = getattr(self, "_guard", None)
        if guard is not None:
            guard.free_unreachable()

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        backfill = "REST back-fill" if self._fetcher is not None else "no back-fill"
        return f"<pmingest.EventProcessor min_size={self._min_size} {backfill} ({state})>"
