"""The trade tape's history in the store: a resumable backfill and what it has proven.

``backfill_trades(client, database)`` walks the Data API's v2 trade tape (newest first) for every
market of the database's token metadata, or for ``condition_ids``, and writes each page's trades
through the trade store. It can be killed at any point and run again: trades are stored once
(their ids are content-derived) and each market's proven range only grows contiguously, so a
re-run neither duplicates nor leaves a gap. ``get_trade_coverage`` reads that range: every trade
of the market between ``oldest`` and ``newest`` is in the store. The newest ten minutes before a
run are stored but not claimed (the tape is cached for up to five minutes).
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Iterable, List, Optional

from . import _convert, _ffi
from .client import PolymarketClient, require_client
from .storage import Database, _require_db

__all__ = ["BackfillProgress", "BackfillReport", "TradeCoverage", "backfill_trades", "get_trade_coverage"]


@dataclass(frozen=True)
class BackfillProgress:
    """Where a backfill is, after a page: the market, its index (0-based) of ``market_count``,
    and its pages, trade rows and new rows so far."""

    condition_id: str
    market_index: int
    market_count: int
    pages: int
    trades: int
    inserted: int


@dataclass(frozen=True)
class BackfillReport:
    """What a backfill run did: pages fetched, trade rows written, how many of them were new."""

    pages: int
    trades: int
    inserted: int


@dataclass(frozen=True)
class TradeCoverage:
    """Every trade of ``condition_id`` with ``oldest <= timestamp <= newest`` is stored
    (``oldest`` at the epoch: back to the start of what the tape serves)."""

    condition_id: str
    oldest: datetime
    newest: datetime


def backfill_trades(
    client: PolymarketClient,
    database: Database,
    condition_ids: Optional[Iterable[str]] = None,
    since: Optional[datetime] = None,
    progress: Optional[Callable[[BackfillProgress], None]] = None,
) -> BackfillReport:
    """Backfills the trades of ``condition_ids`` (None: every market of the stored token
    metadata) back to ``since`` (an aware datetime; None: as far as the tape goes).
    ``progress`` is called after every page, on a library thread; if it raises, the backfill is
    cancelled and the exception re-raised here (what was written stays valid). Interruptible with
    Ctrl-C like every client call. Errors: the client's and the database's."""
    client = require_client(client)
    db = _require_db(database)
    keep: List[bytes] = []
    conditions = [] if condition_ids is None else list(condition_ids)
    if condition_ids is not None and not conditions:
        raise ValueError("condition_ids is empty; pass None for every stored market")
    if isinstance(condition_ids, (str, bytes)):
        raise TypeError("condition_ids must be an iterable of condition ids, not a single string")
    encoded = [_convert.encode(c, f"condition_ids[{i}]", keep) for i, c in enumerate(conditions)]
    since_ms = -1 if since is None else _convert.to_ms(since, "since", round_up=True)
    if progress is not None and not callable(progress):
        raise TypeError("progress must be callable or None")
    array = (ctypes.c_char_p * max(1, len(encoded)))(*encoded)
    failures: List[BaseException] = []

    def on_page(condition: Optional[bytes], index: int, count: int, pages: int, trades: int, inserted: int,
                _userdata: Optional[int]) -> None:  # library thread
        if failures or progress is None:
            return
        try:
            progress(BackfillProgress(_ffi.text(condition), index, count, pages, trades, inserted))
        except BaseException as error:  # noqa: BLE001 - re-raised on the caller's thread
            failures.append(error)
            client.cancel()

    callback = _ffi.pm_backfill_progress_cb(on_page)

    def work() -> BackfillReport:
        outs = [ctypes.c_size_t(0) for _ in range(3)]
        with client._use() as handle, db._use() as store:
            _ffi.pm_backfill_trades(handle, store, array if encoded else None, len(encoded), since_ms,
                                    callback, None, *(ctypes.byref(o) for o in outs))
        return BackfillReport(*(o.value for o in outs))

    try:
        report = client._run(work)
    except BaseException:
        if failures:
            raise failures[0]
        raise
    if failures:
        raise failures[0]
    return report


def get_trade_coverage(database: Database, condition_id: str) -> Optional[TradeCoverage]:
    """The range a backfill has proven for the market, or None when nothing is proven yet."""
    db = _require_db(database)
    keep: List[bytes] = []
    encoded = _convert.encode(condition_id, "condition_id", keep)
    found = ctypes.c_bool(False)
    oldest, newest = ctypes.c_int64(0), ctypes.c_int64(0)
    with db._use() as store:
        _ffi.pm_store_get_trade_coverage(store, encoded, ctypes.byref(found), ctypes.byref(oldest),
                                         ctypes.byref(newest))
    if not found.value:
        return None
    return TradeCoverage(condition_id, _convert.from_ms(oldest.value), _convert.from_ms(newest.value))
