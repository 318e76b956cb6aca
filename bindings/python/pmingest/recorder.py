"""Recording stream trades into the SQLite store (research use): ``TradeRecorder``."""

from __future__ import annotations

import ctypes
from typing import Any, ContextManager, Optional

from . import _blocking, _convert, _ffi
from .errors import PmInternalError
from .storage import Database
from .stream import StreamEvent


class TradeRecorder:
    """Buffers stream trades (``last_trade_price`` events) and writes them to ``database`` every
    ``batch_size`` trades or once ``flush_ms`` have passed since the last write. Only prints with
    a side and a size become trade rows; the rest are counted in ``skipped`` — never stored with
    made-up values. ``close()`` (or leaving a ``with`` block) flushes."""

    def __init__(self, database: Database, batch_size: int = 500, flush_ms: int = 1000) -> None:
        self._guard: Optional[_blocking.Guard] = None  # set last: __del__ may see a half-made object
        if not isinstance(database, Database):
            raise TypeError(f"database must be a Database, not {type(database).__name__}")
        batch = _convert.check_int(batch_size, "batch_size", 1, 2**31 - 1)
        interval = _convert.check_int(flush_ms, "flush_ms", 0, 2**63 - 1)
        out = _ffi.RecorderP()
        with database._use() as store:
            _ffi.pm_recorder_new(store, batch, interval, ctypes.byref(out))
        if not out:
            raise PmInternalError("pm_recorder_new returned PM_OK without a recorder")
        self._database = database
        self._guard = _blocking.Guard(out, _ffi.pm_recorder_free, "recorder")

    def _use(self) -> ContextManager["ctypes._Pointer[Any]"]:
        if self._guard is None:
            raise ValueError("recorder is closed")
        return self._guard.use()

    def record(self, event: StreamEvent) -> None:
        """Buffers the event's trade (other events are ignored) and writes the batch when due."""
        if not isinstance(event, StreamEvent):
            raise TypeError(f"event must be a StreamEvent, not {type(event).__name__}")
        if event._native is None:
            raise ValueError("only events from WebSocketClient.receive_event()/events() can be recorded")
        with self._use() as recorder:
            _ffi.pm_recorder_record(recorder, event._native.pointer)

    def flush(self) -> None:
        """Writes what is buffered now."""
        with self._use() as recorder:
            _ffi.pm_recorder_flush(recorder)

    @property
    def recorded(self) -> int:
        with self._use() as recorder:
            return int(_ffi.pm_recorder_recorded(recorder))

    @property
    def skipped(self) -> int:
        with self._use() as recorder:
            return int(_ffi.pm_recorder_skipped(recorder))

    @property
    def closed(self) -> bool:
        return self._guard is None or self._guard.closed

    def close(self) -> None:
        """Flushes and frees the recorder. Idempotent."""
        if self._guard is not None:
            self._guard.close()

    def __enter__(self) -> "TradeRecorder":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass
