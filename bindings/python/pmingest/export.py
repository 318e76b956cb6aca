"""Research export: the binding's records as Arrow tables and pandas frames, exactly.

``pyarrow`` (and for the ``*_to_pandas`` functions ``pandas``) are optional: ``pip install
'pmingest[arrow]'`` / ``'pmingest[pandas]'``. Without them every function here raises
``PmMissingDependency`` (an ``ImportError``) saying what to install; importing ``pmingest`` and
everything else works as before.

Exact types, whatever the record:

* Prices and sizes are ``decimal128(19, 6)`` (``DECIMAL_TYPE``). The core holds every price and
  size as int64 micro-units (value x 1e6, ``FixedDecimal``): six fraction digits, and at most 19
  significant digits (``|int64| < 9.3e18``), so ``decimal128(19, 6)`` holds every value the
  library can produce, zero and negatives included, without rounding. The ``Decimal`` objects go
  into Arrow as they are (never through ``float``); one with more than six fraction digits, a
  ``float``, NaN or a value beyond 19 digits is refused with ``PmInvalidArgument`` naming the
  column, never rounded.
* Times are ``timestamp[ns, tz=UTC]`` (``TIMESTAMP_TYPE``), from aware datetimes (a naive one is
  refused; a ``pandas.Timestamp`` keeps its nanoseconds).
* Token ids (up to 78 digits), condition ids and hashes are strings; they never become numbers.

pandas frames (``*_to_pandas``, ``to_pandas(table)``): decimal columns are
``pandas.ArrowDtype(decimal128(19, 6))``, still exact (each element is a ``decimal.Decimal``,
shown with six fraction digits: ``Decimal("0.950000") == Decimal("0.95")``) and written back to
Arrow/Parquet unchanged; times are ``datetime64[ns, UTC]``; the rest as pandas converts them.
Decimals nested in list columns (``changes``, ``bids``, ``asks`` of events) are ``Decimal``
objects inside the lists.

The tables (column order as listed; ``?`` = nullable):

* trades (``PolymarketTrade``): ``id?, token_id, condition_id?, side, price, size, timestamp,
  transaction_hash?, proxy_wallet?, outcome?``.
* price history (``PricePoint``): ``token_id, timestamp, price``.
* token metadata (``PolymarketTokenMeta``): ``token_id, condition_id, question?, outcome?,
  outcome_index? (int32), tick_size?, min_order_size?, neg_risk, active, closed (bool),
  end_date?, market_slug?, updated_at?, protocol_version?``.
* books, **one row per level** (``OrderBook``, or a ``StreamEvent`` carrying a ``book``):
  ``token_id, condition_id?, timestamp?, hash?, side ("bid"/"ask"), rank (int32), price, size``.
  Per book: its bids best (highest) first with rank 0, 1, ..., then its asks best (lowest) first,
  rank 0, 1, ...; books in the order given. A book with no level gives no row.
* events, one row per event (``StreamEvent`` and ``PriceUpdate``, mixed; a replay's events too):
  ``type, token_id?, condition_id?, timestamp?, received_at?, price?, trade_size?, side?,
  best_bid?, best_ask?, detail?, is_price_update, is_reconnect (bool),
  reconnect_token_ids? (list<string>), changes? (list<struct<token_id, side, price, size>>),
  bids?, asks? (list<struct<price, size>>, best first)``. A ``PriceUpdate`` is ``type
  "price_update"`` with only its token, market, price and timestamp. The gap marker is
  ``type "reconnected"`` / ``is_reconnect``: ``detail`` says why, ``reconnect_token_ids`` the
  assets that lost continuity (empty list: every asset; null on other events); ``changes`` is
  null except on level-change events, ``bids``/``asks`` except on ``book`` events.

What queries return (``TradeRepository.query``, ``PolymarketClient.fetch_trades``,
``fetch_price_history``, ``fetch_orderbooks``, ``TokenMetaRepository.list``, ...) are ``list``
subclasses (``TradeList``, ``PricePointList``, ``OrderBookList``, ``TokenMetaList``,
``EventList``) with ``to_arrow()`` / ``to_pandas()``; they behave as lists otherwise (a slice
is a plain ``list``).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Callable, Iterable, List, Optional, Sequence, Tuple, TypeVar

from . import _convert

if TYPE_CHECKING:  # pragma: no cover - typing only
    import pandas
    import pyarrow

__all__ = [
    "PmMissingDependency",
    "DECIMAL_PRECISION",
    "DECIMAL_SCALE",
    "trades_to_arrow",
    "trades_to_pandas",
    "price_history_to_arrow",
    "price_history_to_pandas",
    "token_metas_to_arrow",
    "token_metas_to_pandas",
    "books_to_arrow",
    "books_to_pandas",
    "events_to_arrow",
    "events_to_pandas",
    "to_pandas",
    "TradeList",
    "PricePointList",
    "OrderBookList",
    "TokenMetaList",
    "EventList",
]

#: decimal128 precision and scale of every price and size: int64 micro-units fit exactly.
DECIMAL_PRECISION = 19
DECIMAL_SCALE = 6

ARROW_HINT = "pip install 'pmingest[arrow]'"
PANDAS_HINT = "pip install 'pmingest[pandas]'"


class PmMissingDependency(ImportError):
    """An optional dependency of the export (pyarrow, pandas) is not installed; the message
    says what to install."""


def _pyarrow() -> Any:
    try:
        import pyarrow
    except ImportError as failure:
        raise PmMissingDependency(
            f"pmingest's Arrow export needs pyarrow, which is not installed: {ARROW_HINT}"
        ) from failure
    return pyarrow


def _pandas() -> Any:
    _pyarrow()
    try:
        import pandas
    except ImportError as failure:
        raise PmMissingDependency(
            f"pmingest's pandas export needs pandas, which is not installed: {PANDAS_HINT}"
        ) from failure
    return pandas


# ---- column builders ----------------------------------------------------------------------

_Spec = Tuple[str, str, Callable[[Any], Any]]  # column name, kind, getter


def _types(pa: Any) -> dict:
    decimal = pa.decimal128(DECIMAL_PRECISION, DECIMAL_SCALE)
    level = pa.struct([("price", decimal), ("size", decimal)])
    change = pa.struct([("token_id", pa.string()), ("side", pa.string()), ("price", decimal), ("size", decimal)])
    return {
        "string": pa.string(),
        "decimal": decimal,
        "time": pa.timestamp("ns", tz="UTC"),
        "bool": pa.bool_(),
        "int32": pa.int32(),
        "strings": pa.list_(pa.string()),
        "levels": pa.list_(level),
        "changes": pa.list_(change),
    }


def _invalid(message: str) -> Exception:
    from . import _ffi

    return _ffi.error(_ffi.PM_E_INVALID_ARG, message)


def _check_times(name: str, values: List[Any]) -> None:
    from datetime import datetime

    for index, value in enumerate(values):
        if value is None:
            continue
        if not isinstance(value, datetime):
            raise TypeError(f"{name}[{index}] must be a datetime, not {type(value).__name__}")
        if value.utcoffset() is None:
            raise ValueError(f"{name}[{index}] is a naive datetime; give it a time zone (UTC)")


def _column(pa: Any, types: dict, name: str, kind: str, values: List[Any]) -> Any:
    if kind == "time":
        _check_times(name, values)
    try:
        return pa.array(values, type=types[kind])
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError) as failure:
        if kind in ("decimal", "levels", "changes"):
            raise _invalid(
                f"column {name}: not exact as decimal128({DECIMAL_PRECISION}, {DECIMAL_SCALE}) "
                f"(at most {DECIMAL_SCALE} fraction digits and {DECIMAL_PRECISION} digits, Decimal or int, "
                f"never float): {failure}"
            ) from None
        raise TypeError(f"column {name}: {failure}") from None


def _table(rows: Sequence[Any], specs: Sequence[_Spec]) -> "pyarrow.Table":
    pa = _pyarrow()
    types = _types(pa)
    arrays = [_column(pa, types, name, kind, [get(row) for row in rows]) for name, kind, get in specs]
    schema = pa.schema([pa.field(name, types[kind]) for name, kind, _ in specs])
    return pa.Table.from_arrays(arrays, schema=schema)


def _records(items: Iterable[Any], classes: Tuple[type, ...], what: str) -> List[Any]:
    if isinstance(items, (str, bytes)):
        raise TypeError(f"expected an iterable of {what}, not a string")
    rows = items if isinstance(items, list) else list(items)
    for index, row in enumerate(rows):
        if not isinstance(row, classes):
            raise TypeError(f"item {index} is a {type(row).__name__}, not a {what}")
    return rows


def _attr(name: str) -> Callable[[Any], Any]:
    return lambda row: getattr(row, name)


def to_pandas(table: "pyarrow.Table") -> "pandas.DataFrame":
    """A frame of one of this module's tables: decimals as exact ``ArrowDtype(decimal128)``
    columns, times as ``datetime64[ns, UTC]``."""
    pd = _pandas()
    pa = _pyarrow()

    def mapper(arrow_type: Any) -> Any:
        return pd.ArrowDtype(arrow_type) if pa.types.is_decimal(arrow_type) else None

    return table.to_pandas(types_mapper=mapper)


# ---- trades, price history, token metadata ------------------------------------------------

_TRADE_SPECS: List[_Spec] = [
    ("id", "string", _attr("id")),
    ("token_id", "string", _attr("token_id")),
    ("condition_id", "string", _attr("condition_id")),
    ("side", "string", _attr("side")),
    ("price", "decimal", _attr("price")),
    ("size", "decimal", _attr("size")),
    ("timestamp", "time", _attr("timestamp")),
    ("transaction_hash", "string", _attr("transaction_hash")),
    ("proxy_wallet", "string", _attr("proxy_wallet")),
    ("outcome", "string", _attr("outcome")),
]

_POINT_SPECS: List[_Spec] = [
    ("token_id", "string", _attr("token_id")),
    ("timestamp", "time", _attr("timestamp")),
    ("price", "decimal", _attr("price")),
]

_META_SPECS: List[_Spec] = [
    ("token_id", "string", _attr("token_id")),
    ("condition_id", "string", _attr("condition_id")),
    ("question", "string", _attr("question")),
    ("outcome", "string", _attr("outcome")),
    ("outcome_index", "int32", _attr("outcome_index")),
    ("tick_size", "decimal", _attr("tick_size")),
    ("min_order_size", "decimal", _attr("min_order_size")),
    ("neg_risk", "bool", _attr("neg_risk")),
    ("active", "bool", _attr("active")),
    ("closed", "bool", _attr("closed")),
    ("end_date", "time", _attr("end_date")),
    ("market_slug", "string", _attr("market_slug")),
    ("updated_at", "time", _attr("updated_at")),
    ("protocol_version", "string", _attr("protocol_version")),
]


def trades_to_arrow(trades: Iterable[Any]) -> "pyarrow.Table":
    """``PolymarketTrade`` objects as a table (columns in the module doc), in the given order."""
    from .storage import PolymarketTrade

    return _table(_records(trades, (PolymarketTrade,), "PolymarketTrade"), _TRADE_SPECS)


def trades_to_pandas(trades: Iterable[Any]) -> "pandas.DataFrame":
    return to_pandas(trades_to_arrow(trades))


def price_history_to_arrow(points: Iterable[Any]) -> "pyarrow.Table":
    """``PricePoint`` objects as a table ``token_id, timestamp, price``."""
    from .prices import PricePoint

    return _table(_records(points, (PricePoint,), "PricePoint"), _POINT_SPECS)


def price_history_to_pandas(points: Iterable[Any]) -> "pandas.DataFrame":
    return to_pandas(price_history_to_arrow(points))


def token_metas_to_arrow(metas: Iterable[Any]) -> "pyarrow.Table":
    """``PolymarketTokenMeta`` objects as a table (columns in the module doc)."""
    from .storage import PolymarketTokenMeta

    return _table(_records(metas, (PolymarketTokenMeta,), "PolymarketTokenMeta"), _META_SPECS)


def token_metas_to_pandas(metas: Iterable[Any]) -> "pandas.DataFrame":
    return to_pandas(token_metas_to_arrow(metas))


# ---- books: one row per level ---------------------------------------------------------------

_BOOK_SPECS: List[_Spec] = [
    ("token_id", "string", lambda r: r[0].token_id),
    ("condition_id", "string", lambda r: r[0].condition_id),
    ("timestamp", "time", lambda r: r[0].timestamp),
    ("hash", "string", lambda r: r[0].hash),
    ("side", "string", lambda r: r[1]),
    ("rank", "int32", lambda r: r[2]),
    ("price", "decimal", lambda r: r[3].price),
    ("size", "decimal", lambda r: r[3].size),
]


def books_to_arrow(books: Iterable[Any]) -> "pyarrow.Table":
    """Order books as one row per level: ``token_id, condition_id, timestamp, hash, side, rank,
    price, size``; per book its bids best first (``rank`` 0 = best bid), then its asks best
    first. Takes ``OrderBook`` objects and ``StreamEvent``s of type ``book``."""
    from .client import OrderBook
    from .stream import StreamEvent

    rows = []
    for index, item in enumerate(_records(books, (OrderBook, StreamEvent), "OrderBook")):
        book = item.book if isinstance(item, StreamEvent) else item
        if book is None:
            raise TypeError(f"item {index} is a {item.type!r} event, which has no book")
        rows.extend((book, "bid", rank, level) for rank, level in enumerate(book.bids))
        rows.extend((book, "ask", rank, level) for rank, level in enumerate(book.asks))
    return _table(rows, _BOOK_SPECS)


def books_to_pandas(books: Iterable[Any]) -> "pandas.DataFrame":
    return to_pandas(books_to_arrow(books))


# ---- stream events ----------------------------------------------------------------------------


def _levels(book: Any, side: str) -> Optional[List[dict]]:
    if book is None:
        return None
    return [{"price": level.price, "size": level.size} for level in getattr(book, side)]


def _changes(event: Any) -> Optional[List[dict]]:
    changes = getattr(event, "changes", ())
    if not changes:
        return None
    return [{"token_id": c.token_id, "side": c.side, "price": c.price, "size": c.size} for c in changes]


def _reconnect_tokens(event: Any) -> Optional[List[str]]:
    if getattr(event, "type", None) != "reconnected":
        return None
    return list(event.reconnect_token_ids)


_EVENT_SPECS: List[_Spec] = [
    ("type", "string", lambda e: getattr(e, "type", "price_update")),
    ("token_id", "string", _attr("token_id")),
    ("condition_id", "string", _attr("condition_id")),
    ("timestamp", "time", _attr("timestamp")),
    ("received_at", "time", lambda e: getattr(e, "received_at", None)),
    ("price", "decimal", _attr("price")),
    ("trade_size", "decimal", lambda e: getattr(e, "trade_size", None)),
    ("side", "string", lambda e: getattr(e, "side", None)),
    ("best_bid", "decimal", lambda e: getattr(e, "best_bid", None)),
    ("best_ask", "decimal", lambda e: getattr(e, "best_ask", None)),
    ("detail", "string", lambda e: getattr(e, "detail", None)),
    ("is_price_update", "bool", lambda e: getattr(e, "is_price_update", True)),
    ("is_reconnect", "bool", lambda e: getattr(e, "is_reconnect", False)),
    ("reconnect_token_ids", "strings", _reconnect_tokens),
    ("changes", "changes", _changes),
    ("bids", "levels", lambda e: _levels(getattr(e, "book", None), "bids")),
    ("asks", "levels", lambda e: _levels(getattr(e, "book", None), "asks")),
]


def events_to_arrow(events: Iterable[Any]) -> "pyarrow.Table":
    """Stream events (``StreamEvent`` and ``PriceUpdate``, mixed, from a live stream or a
    replay) as one row per event, in the given order; the columns are in the module doc."""
    from .stream import PriceUpdate, StreamEvent

    return _table(_records(events, (StreamEvent, PriceUpdate), "StreamEvent or PriceUpdate"), _EVENT_SPECS)


def events_to_pandas(events: Iterable[Any]) -> "pandas.DataFrame":
    return to_pandas(events_to_arrow(events))


# ---- list subclasses returned by the queries --------------------------------------------------

T = TypeVar("T")


class _ExportList(List[T]):
    _converter: Callable[[Iterable[Any]], "pyarrow.Table"]

    def to_arrow(self) -> "pyarrow.Table":
        """These records as a ``pyarrow.Table`` (exact decimals; see ``pmingest.export``)."""
        return type(self)._converter(self)

    def to_pandas(self) -> "pandas.DataFrame":
        """These records as a ``pandas.DataFrame`` (exact decimals; see ``pmingest.export``)."""
        return to_pandas(self.to_arrow())


class TradeList(_ExportList[Any]):
    """A list of ``PolymarketTrade`` with ``to_arrow()`` / ``to_pandas()``."""

    _converter = staticmethod(trades_to_arrow)


class PricePointList(_ExportList[Any]):
    """A list of ``PricePoint`` with ``to_arrow()`` / ``to_pandas()``."""

    _converter = staticmethod(price_history_to_arrow)


class OrderBookList(_ExportList[Any]):
    """A list of ``OrderBook`` with ``to_arrow()`` / ``to_pandas()`` (one row per level)."""

    _converter = staticmethod(books_to_arrow)


class TokenMetaList(_ExportList[Any]):
    """A list of ``PolymarketTokenMeta`` with ``to_arrow()`` / ``to_pandas()``."""

    _converter = staticmethod(token_metas_to_arrow)


class EventList(_ExportList[Any]):
    """A list of ``StreamEvent`` / ``PriceUpdate`` with ``to_arrow()`` / ``to_pandas()``."""

    _converter = staticmethod(events_to_arrow)


# ---- files ----------------------------------------------------------------------------------


def write_parquet(table: "pyarrow.Table", path: "str | os.PathLike[str]") -> None:
    """Writes a table to a Parquet file (decimal128 and timestamp[ns, UTC] kept as they are)."""
    _pyarrow()
    import pyarrow.parquet as pq

    pq.write_table(table, os.fspath(path))


def canonical_decimal(value: Any) -> str:
    """A Decimal as the library's canonical text ("0.95", "0", "-0.01"): no exponent, no
    trailing fraction zeros (the CSV/NDJSON export's form)."""
    return _convert.decimal_text(value, "value")
