"""MetadataSync: token metadata from Gamma into the SQLite database, plus trade persistence.

``sync()`` fetches every active market (all pages) and upserts one ``PolymarketTokenMeta`` per
outcome token (token id, condition id, question, outcome, tick size, min order size, neg-risk,
active/closed, end date, slug); identical records are not rewritten, so a second sync reports
them as unchanged; ``sync(progress=callable)`` reports each listing page (``SyncProgress``).
``save_trades`` and ``update_watermark`` are the brief's persistence helpers (idempotent trade
upserts; per-market watermarks that never move backwards).
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Dict, Iterable, List, Optional, Union, overload

from . import _ffi
from .client import PolymarketClient, require_client
from .storage import (
    Database,
    PolymarketTrade,
    TradeRepository,
    TradeWatermark,
    TradeWatermarkRepository,
    _require_db,
)

__all__ = ["MetadataSync", "SyncProgress", "SyncReport"]


@dataclass(frozen=True)
class SyncProgress:
    """Where a sync is, after a Gamma listing page: pages fetched and markets listed so far
    (nothing is written until the listing has ended)."""

    pages: int
    markets: int


@dataclass(frozen=True)
class SyncReport:
    """What one sync did: markets fetched, and token records inserted / updated / unchanged."""

    markets: int
    inserted: int
    updated: int
    unchanged: int


class MetadataSync:
    """Keeps the token metadata in ``database`` in step with Gamma, through ``client``."""

    def __init__(self, client: PolymarketClient, database: Database) -> None:
        self._client = require_client(client)
        self._db = _require_db(database)

    @property
    def client(self) -> PolymarketClient:
        return self._client

    @property
    def database(self) -> Database:
        return self._db

    def sync(self, progress: Optional[Callable[[SyncProgress], None]] = None) -> SyncReport:
        """Fetches every active market and upserts its tokens' metadata (interruptible with
        Ctrl-C like every client call). The listing is bounded by the client's listing budget
        (``PmTooLargeError``, ``PmTimeoutError``); when it fails nothing is written. Errors: the
        client's and the database's.

        ``progress`` is called with a ``SyncProgress`` after every listing page (on whichever
        thread the library runs the call: keep it short and thread-safe); if it raises, the
        sync is cancelled (nothing is written) and the exception is re-raised here, as
        ``backfill_trades`` does."""
        client, db = self._client, self._db
        if progress is not None and not callable(progress):
            raise TypeError("progress must be callable or None")
        failures: List[BaseException] = []

        def on_page(pages: int, markets: int, _userdata: Optional[int]) -> None:  # library thread
            if failures or progress is None:
                return
            try:
                progress(SyncProgress(pages, markets))
            except BaseException as error:  # noqa: BLE001 - re-raised on the caller's thread
                failures.append(error)
                client.cancel()

        callback = _ffi.pm_metadata_sync_progress_cb(on_page)

        def work() -> SyncReport:
            counts = [ctypes.c_size_t(0) for _ in range(4)]
            with client._use() as handle, db._use() as store:
                if progress is None:
                    _ffi.pm_metadata_sync(handle, store, *(ctypes.byref(count) for count in counts))
                else:
                    _ffi.pm_metadata_sync_with_progress(
                        handle, store, callback, None, *(ctypes.byref(count) for count in counts)
                    )
            markets, inserted, updated, unchanged = (count.value for count in counts)
            return SyncReport(markets, inserted, updated, unchanged)

        try:
            report = client._run(work)
        except BaseException:
            if failures:
                raise failures[0]
            raise
        if failures:
            raise failures[0]
        return report

    def save_trades(self, trades: Iterable[PolymarketTrade]) -> int:
        """Upserts trades in one transaction (idempotent); returns how many were new."""
        return TradeRepository(self._db).upsert_many(trades)

    @overload
    def update_watermark(
        self, condition_id: str, /, last_trade_timestamp: datetime
    ) -> TradeWatermark: ...

    @overload
    def update_watermark(self, trades: Iterable[PolymarketTrade], /) -> List[TradeWatermark]: ...

    def update_watermark(
        self,
        condition_id_or_trades: Union[str, Iterable[PolymarketTrade]],
        last_trade_timestamp: Optional[datetime] = None,
    ) -> Union[TradeWatermark, List[TradeWatermark]]:
        """Advances watermarks; they never move backwards.

        ``update_watermark(condition_id, last_trade_timestamp)`` moves one market's watermark and
        returns it. ``update_watermark(trades)`` moves each market's watermark to its newest trade
        (trades without a condition id are skipped) and returns the watermarks in force
        afterwards, ordered by condition id.
        """
        repository = TradeWatermarkRepository(self._db)
        if isinstance(condition_id_or_trades, str):
            if last_trade_timestamp is None:
                raise TypeError(
                    "update_watermark(condition_id, last_trade_timestamp): timestamp missing"
                )
            return repository.update(condition_id_or_trades, last_trade_timestamp)
        if last_trade_timestamp is not None:
            raise TypeError(
                "update_watermark(trades) takes no timestamp: it uses the newest trade's"
            )
        newest: Dict[str, datetime] = {}
        for index, trade in enumerate(condition_id_or_trades):
            if not isinstance(trade, PolymarketTrade):
                raise TypeError(
                    f"trades[{index}] must be a PolymarketTrade, not {type(trade).__name__}"
                )
            if trade.condition_id is None:
                continue
            current = newest.get(trade.condition_id)
            if current is None or trade.timestamp > current:
                newest[trade.condition_id] = trade.timestamp
        return [repository.update(condition, newest[condition]) for condition in sorted(newest)]

    def __repr__(self) -> str:
        return f"<pmingest.MetadataSync {self._client!r} {self._db!r}>"
