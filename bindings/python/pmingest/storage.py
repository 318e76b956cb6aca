"""The SQLite store: trades, token metadata and trade watermarks.

A thin layer over ``pm_store_*`` in ``include/pmingest.h``. The library owns all SQL, schema
migration, deduplication and the watermark rule; this module converts between Python values
(``Decimal``, aware ``datetime``, ``str``) and the C ABI, and returns plain frozen dataclasses:
every record list returned by the library is copied and freed before the method returns.

One ``Database`` may be shared by threads: the library serializes calls on a store, and ctypes
releases the GIL during each call.
"""

from __future__ import annotations

import ctypes
import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Iterable, Iterator, List, Optional, Union

from . import _convert, _ffi
from .errors import PmInternalError
from .export import TokenMetaList, TradeList

__all__ = [
    "Database",
    "DatabaseConfig",
    "PolymarketTrade",
    "PolymarketTokenMeta",
    "TradeWatermark",
    "TradeRepository",
    "TradeWatermarkRepository",
    "TokenMetaRepository",
]


# ---------------------------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PolymarketTrade:
    """One trade. ``price`` and ``size`` are exact (``Decimal``, at most 6 fraction digits;
    a ``str`` such as ``"0.95"`` is accepted too; ``float`` is refused). ``timestamp`` must be
    time-zone aware and is stored with millisecond precision. ``id`` is ignored on writes and
    filled from the store on reads: a stable hash of the identifying fields, so storing the same
    trade twice keeps one row."""

    token_id: str
    side: str  # "BUY" or "SELL"
    price: Decimal
    size: Decimal
    timestamp: datetime
    condition_id: Optional[str] = None
    transaction_hash: Optional[str] = None
    proxy_wallet: Optional[str] = None
    outcome: Optional[str] = None
    id: Optional[str] = None


@dataclass(frozen=True)
class PolymarketTokenMeta:
    """Metadata of one CLOB token. ``updated_at`` is ignored on writes and filled on reads.
    ``protocol_version`` is the market's protocol, "v1" or "v2" (None: unknown, e.g. a record
    stored before it was kept)."""

    token_id: str
    condition_id: str
    question: Optional[str] = None
    outcome: Optional[str] = None
    outcome_index: Optional[int] = None
    tick_size: Optional[Decimal] = None
    min_order_size: Optional[Decimal] = None
    neg_risk: bool = False
    active: bool = False
    closed: bool = False
    end_date: Optional[datetime] = None
    market_slug: Optional[str] = None
    updated_at: Optional[datetime] = None
    protocol_version: Optional[str] = None


@dataclass(frozen=True)
class TradeWatermark:
    """The last processed trade time of one condition id, and when it last moved (UTC)."""

    condition_id: str
    last_trade_timestamp: datetime
    updated_at: datetime


# ---------------------------------------------------------------------------------------------
# Database
# ---------------------------------------------------------------------------------------------


@dataclass
class DatabaseConfig:
    """Where the database lives (``":memory:"`` for a private in-memory one) and how long a call
    waits for a lock held by another connection before raising ``PmDatabaseBusy``."""

    path: str = ":memory:"
    busy_timeout_ms: int = 5000


class Database:
    """An open pmingest SQLite database (``pm_store``).

    Opening creates the file and schema if needed and never overwrites an existing file; a file
    that is not pmingest's (not a database, or another application's SQLite file) raises
    ``PmDatabaseCorrupt`` and is left untouched; an unusable path or a read-only database raises
    ``PmCannotOpenDatabase``. Several processes may open the same new file at once. Use as a
    context manager or call ``close()`` (idempotent); any use after closing raises
    ``ValueError("database is closed")``.
    """

    def __init__(
        self, config_or_path: Union[DatabaseConfig, str, "os.PathLike[str]", None] = None
    ) -> None:
        self._ptr: Optional["ctypes._Pointer[Any]"] = None  # set last: __del__ may see a half-made object
        self._lock = threading.Condition()
        self._in_flight = 0
        if config_or_path is None:
            config = DatabaseConfig()
        elif isinstance(config_or_path, DatabaseConfig):
            config = config_or_path
        elif isinstance(config_or_path, (str, os.PathLike)):
            config = DatabaseConfig(path=os.fspath(config_or_path))
        else:
            raise TypeError(
                f"Database() takes a DatabaseConfig or a path, not {type(config_or_path).__name__}"
            )
        path = os.fspath(config.path)
        keep: List[bytes] = []
        encoded_path = _convert.encode(path, "path", keep)
        options = _ffi.StoreOptions()
        _ffi.pm_store_options_init(ctypes.byref(options), _ffi.PM_STORE_OPTIONS_VERSION)
        options.busy_timeout_ms = _convert.check_int(
            config.busy_timeout_ms, "busy_timeout_ms", 0, _ffi.INT32_MAX
        )
        out = _ffi.StoreP()
        _ffi.pm_store_open(encoded_path, ctypes.byref(options), ctypes.byref(out))
        if not out:
            raise PmInternalError("pm_store_open returned PM_OK without a store")
        self._path = path
        self._busy_timeout_ms = options.busy_timeout_ms
        self._ptr = out

    @property
    def path(self) -> str:
        return self._path

    @property
    def closed(self) -> bool:
        return self._ptr is None

    @contextmanager
    def _use(self) -> Iterator["ctypes._Pointer[Any]"]:
        """The store pointer for one call; close() waits until no call is using it."""
        with self._lock:
            if self._ptr is None:
                raise ValueError("database is closed")
            self._in_flight += 1
            ptr = self._ptr
        try:
            yield ptr
        finally:
            with self._lock:
                self._in_flight -= 1
                if self._in_flight == 0:
                    self._lock.notify_all()

    def close(self) -> None:
        """Closes the database. Safe to call more than once; waits for calls in progress on
        other threads to finish first."""
        with self._lock:
            ptr, self._ptr = self._ptr, None
            if ptr is None:
                return
            while self._in_flight:
                self._lock.wait()
        _ffi.pm_store_free(ptr)

    def __enter__(self) -> "Database":
        with self._use():
            return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self) -> None:
        # Fallback only: nothing else can be using the store once it is unreachable.
        ptr = getattr(self, "_ptr", None)
        if ptr:
            self._ptr = None
            try:
                _ffi.pm_store_free(ptr)
            except Exception:  # interpreter shutdown may have torn ctypes down already
                pass

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"<pmingest.Database {getattr(self, '_path', '?')!r} ({state})>"


def _require_db(db: object) -> Database:
    if not isinstance(db, Database):
        raise TypeError(f"expected a pmingest.Database, not {type(db).__name__}")
    return db


# ---------------------------------------------------------------------------------------------
# Trades
# ---------------------------------------------------------------------------------------------


def _fill_trade_input(
    target: _ffi.TradeInput, trade: object, keep: List[bytes], where: str
) -> None:
    if not isinstance(trade, PolymarketTrade):
        raise TypeError(f"{where} must be a PolymarketTrade, not {type(trade).__name__}")
    target.version = _ffi.PM_TRADE_INPUT_VERSION
    target.token_id = _convert.encode(trade.token_id, f"{where}.token_id", keep)
    target.condition_id = _convert.encode_optional(
        trade.condition_id, f"{where}.condition_id", keep
    )
    target.side = _convert.encode(trade.side, f"{where}.side", keep)
    target.price = _convert.encode_decimal(trade.price, f"{where}.price", keep)
    target.size = _convert.encode_decimal(trade.size, f"{where}.size", keep)
    target.timestamp_ms = _convert.to_ms(trade.timestamp, f"{where}.timestamp")
    target.transaction_hash = _convert.encode_optional(
        trade.transaction_hash, f"{where}.transaction_hash", keep
    )
    target.proxy_wallet = _convert.encode_optional(
        trade.proxy_wallet, f"{where}.proxy_wallet", keep
    )
    target.outcome = _convert.encode_optional(trade.outcome, f"{where}.outcome", keep)


def _read_trade(ptr: "ctypes._Pointer[Any]") -> PolymarketTrade:
    return PolymarketTrade(
        token_id=_ffi.text(_ffi.pm_trade_token_id(ptr)),
        side=_ffi.text(_ffi.pm_trade_side(ptr)),
        price=_convert.parse_decimal_text(_ffi.pm_trade_price(ptr)),
        size=_convert.parse_decimal_text(_ffi.pm_trade_size(ptr)),
        timestamp=_convert.from_ms(_ffi.pm_trade_timestamp_ms(ptr)),
        condition_id=_ffi.optional_text(_ffi.pm_trade_condition_id(ptr)),
        transaction_hash=_ffi.optional_text(_ffi.pm_trade_transaction_hash(ptr)),
        proxy_wallet=_ffi.optional_text(_ffi.pm_trade_proxy_wallet(ptr)),
        outcome=_ffi.optional_text(_ffi.pm_trade_outcome(ptr)),
        id=_ffi.optional_text(_ffi.pm_trade_id(ptr)),
    )


class TradeRepository:
    """Trades, deduplicated by a stable id derived from their identifying fields."""

    def __init__(self, db: Database) -> None:
        self._db = _require_db(db)

    def upsert(self, trade: PolymarketTrade) -> bool:
        """Stores one trade. True if it was new, False if the same trade was already stored."""
        keep: List[bytes] = []
        item = _ffi.TradeInput()
        _fill_trade_input(item, trade, keep, "trade")
        inserted = ctypes.c_int(0)
        with self._db._use() as store:
            _ffi.pm_store_upsert_trade(store, ctypes.byref(item), ctypes.byref(inserted))
        return bool(inserted.value)

    def upsert_many(self, trades: Iterable[PolymarketTrade]) -> int:
        """Stores trades in one transaction, all or nothing: an invalid trade raises and nothing
        is written. Returns how many were new."""
        items = list(trades)
        keep: List[bytes] = []
        array = (_ffi.TradeInput * len(items))()
        for index, trade in enumerate(items):
            _fill_trade_input(array[index], trade, keep, f"trades[{index}]")
        inserted = ctypes.c_size_t(0)
        with self._db._use() as store:
            _ffi.pm_store_upsert_trades(store, array, len(items), ctypes.byref(inserted))
        return inserted.value

    def query(
        self,
        token_id: str,
        start: Optional[datetime] = None,
        end: Optional[datetime] = None,
        limit: Optional[int] = None,
    ) -> List[PolymarketTrade]:
        """Trades of `token_id` with start <= timestamp <= end (both optional, aware datetimes),
        oldest first; at most `limit` of them when given."""
        keep: List[bytes] = []
        encoded = _convert.encode(token_id, "token_id", keep)
        from_ms = 0 if start is None else _convert.to_ms(start, "start", round_up=True)
        to_ms = _ffi.INT64_MAX if end is None else _convert.to_ms(end, "end")
        if limit is not None:
            _convert.check_int(limit, "limit", 0, 2**63 - 1)
            if limit == 0:  # C treats 0 as "no limit"; in Python it means no rows
                with self._db._use():
                    return TradeList()
        out = _ffi.TradesP()
        with self._db._use() as store:
            _ffi.pm_store_query_trades(
                store, encoded, from_ms, to_ms, limit or 0, ctypes.byref(out)
            )
        try:
            return TradeList(
                _read_trade(_ffi.pm_trades_at(out, index))
                for index in range(_ffi.pm_trades_count(out))
            )
        finally:
            _ffi.pm_trades_free(out)

    def count(self, token_id: Optional[str] = None) -> int:
        """Number of stored trades, of one token or of all tokens."""
        keep: List[bytes] = []
        encoded = _convert.encode_optional(token_id, "token_id", keep)
        result = ctypes.c_int64(0)
        with self._db._use() as store:
            _ffi.pm_store_count_trades(store, encoded, ctypes.byref(result))
        return result.value


# ---------------------------------------------------------------------------------------------
# Trade watermarks
# ---------------------------------------------------------------------------------------------


def _take_watermark(out: "ctypes._Pointer[Any]") -> Optional[TradeWatermark]:
    if not out:
        return None
    try:
        return TradeWatermark(
            condition_id=_ffi.text(_ffi.pm_watermark_condition_id(out)),
            last_trade_timestamp=_convert.from_ms(_ffi.pm_watermark_last_trade_ms(out)),
            updated_at=_convert.from_ms(_ffi.pm_watermark_updated_at_ms(out)),
        )
    finally:
        _ffi.pm_watermark_free(out)


class TradeWatermarkRepository:
    """Per condition id, the timestamp of the last processed trade. Never moves backwards."""

    def __init__(self, db: Database) -> None:
        self._db = _require_db(db)

    def get(self, condition_id: str) -> Optional[TradeWatermark]:
        keep: List[bytes] = []
        encoded = _convert.encode(condition_id, "condition_id", keep)
        out = _ffi.WatermarkP()
        with self._db._use() as store:
            _ffi.pm_store_get_watermark(store, encoded, ctypes.byref(out))
        return _take_watermark(out)

    def update(self, condition_id: str, last_trade_timestamp: datetime) -> TradeWatermark:
        """Moves the watermark forward to `last_trade_timestamp`; an older time leaves it where
        it is. Returns the watermark in force afterwards."""
        keep: List[bytes] = []
        encoded = _convert.encode(condition_id, "condition_id", keep)
        ms = _convert.to_ms(last_trade_timestamp, "last_trade_timestamp")
        out = _ffi.WatermarkP()
        with self._db._use() as store:
            _ffi.pm_store_update_watermark(store, encoded, ms, ctypes.byref(out))
        watermark = _take_watermark(out)
        if watermark is None:
            raise PmInternalError("pm_store_update_watermark returned PM_OK without a watermark")
        return watermark


# ---------------------------------------------------------------------------------------------
# Token metadata
# ---------------------------------------------------------------------------------------------

_CHANGES = {
    _ffi.PM_CHANGE_INSERTED: "inserted",
    _ffi.PM_CHANGE_UPDATED: "updated",
    _ffi.PM_CHANGE_UNCHANGED: "unchanged",
}


def _fill_token_meta_input(target: _ffi.TokenMetaInput, meta: object, keep: List[bytes]) -> None:
    if not isinstance(meta, PolymarketTokenMeta):
        raise TypeError(f"meta must be a PolymarketTokenMeta, not {type(meta).__name__}")
    target.version = _ffi.PM_TOKEN_META_INPUT_VERSION
    target.token_id = _convert.encode(meta.token_id, "token_id", keep)
    target.condition_id = _convert.encode(meta.condition_id, "condition_id", keep)
    target.question = _convert.encode_optional(meta.question, "question", keep)
    target.outcome = _convert.encode_optional(meta.outcome, "outcome", keep)
    target.outcome_index = (
        -1
        if meta.outcome_index is None
        else _convert.check_int(meta.outcome_index, "outcome_index", 0, _ffi.INT32_MAX)
    )
    target.tick_size = _convert.encode_optional_decimal(meta.tick_size, "tick_size", keep)
    target.min_order_size = _convert.encode_optional_decimal(
        meta.min_order_size, "min_order_size", keep
    )
    target.neg_risk = _convert.check_bool(meta.neg_risk, "neg_risk")
    target.active = _convert.check_bool(meta.active, "active")
    target.closed = _convert.check_bool(meta.closed, "closed")
    target.end_date_ms = 0 if meta.end_date is None else _convert.to_ms(meta.end_date, "end_date")
    target.market_slug = _convert.encode_optional(meta.market_slug, "market_slug", keep)
    target.protocol_version = _convert.encode_optional(meta.protocol_version, "protocol_version", keep)


def _read_token_meta(ptr: "ctypes._Pointer[Any]") -> PolymarketTokenMeta:
    index = _ffi.pm_token_meta_outcome_index(ptr)
    return PolymarketTokenMeta(
        token_id=_ffi.text(_ffi.pm_token_meta_token_id(ptr)),
        condition_id=_ffi.text(_ffi.pm_token_meta_condition_id(ptr)),
        question=_ffi.optional_text(_ffi.pm_token_meta_question(ptr)),
        outcome=_ffi.optional_text(_ffi.pm_token_meta_outcome(ptr)),
        outcome_index=None if index < 0 else index,
        tick_size=_convert.parse_optional_decimal_text(_ffi.pm_token_meta_tick_size(ptr)),
        min_order_size=_convert.parse_optional_decimal_text(_ffi.pm_token_meta_min_order_size(ptr)),
        neg_risk=bool(_ffi.pm_token_meta_neg_risk(ptr)),
        active=bool(_ffi.pm_token_meta_active(ptr)),
        closed=bool(_ffi.pm_token_meta_closed(ptr)),
        end_date=_convert.optional_from_ms(_ffi.pm_token_meta_end_date_ms(ptr)),
        market_slug=_ffi.optional_text(_ffi.pm_token_meta_market_slug(ptr)),
        updated_at=_convert.optional_from_ms(_ffi.pm_token_meta_updated_at_ms(ptr)),
        protocol_version=_ffi.optional_text(_ffi.pm_token_meta_protocol_version(ptr)),
    )


class TokenMetaRepository:
    """Token metadata, one row per token id."""

    def __init__(self, db: Database) -> None:
        self._db = _require_db(db)

    def upsert(self, meta: PolymarketTokenMeta) -> str:
        """Inserts or updates; returns "inserted", "updated" or "unchanged" (identical row,
        nothing written)."""
        keep: List[bytes] = []
        item = _ffi.TokenMetaInput()
        _fill_token_meta_input(item, meta, keep)
        change = _ffi.pm_change(0)
        with self._db._use() as store:
            _ffi.pm_store_upsert_token_meta(store, ctypes.byref(item), ctypes.byref(change))
        try:
            return _CHANGES[change.value]
        except KeyError:
            raise PmInternalError(f"unknown pm_change value {change.value}") from None

    def get(self, token_id: str) -> Optional[PolymarketTokenMeta]:
        keep: List[bytes] = []
        encoded = _convert.encode(token_id, "token_id", keep)
        out = _ffi.TokenMetaP()
        with self._db._use() as store:
            _ffi.pm_store_get_token_meta(store, encoded, ctypes.byref(out))
        if not out:
            return None
        try:
            return _read_token_meta(out)
        finally:
            _ffi.pm_token_meta_free(out)

    def list(self) -> List[PolymarketTokenMeta]:
        """All token metadata, ordered by condition id, outcome index, token id."""
        out = _ffi.TokenMetasP()
        with self._db._use() as store:
            _ffi.pm_store_list_token_metas(store, ctypes.byref(out))
        try:
            return TokenMetaList(
                _read_token_meta(_ffi.pm_token_metas_at(out, index))
                for index in range(_ffi.pm_token_metas_count(out))
            )
        finally:
            _ffi.pm_token_metas_free(out)
