"""pmingest: Polymarket market-data ingestion, Python binding of libpmingest.

The library (``libpmingest.so``) is found through ``$PMINGEST_LIBRARY`` (a full path), then next
to this package, then on the system search path; importing fails with ``ImportError`` if it is
missing or was built for another ABI.

Money is exact: prices and sizes are ``decimal.Decimal`` (never ``float``), timestamps are
time-zone-aware UTC ``datetime`` objects.

REST (``PolymarketClient``) and the brief's guarantees:

* G1: ``TradeFetcher.fetch_recent_trades`` / ``fetch_recent_trades`` never hand out a trade older
  than ``max_age_seconds`` (default 300) as recent, whatever the API returned.
* G3: stream price updates carry no size; ``TradeFetcher.fetch_trade_size_at_price`` finds the
  size of a fresh trade near the price over REST.
* G5: ``verify_orderbook_price`` compares a price with the book's best (highest) bid, whatever
  order the levels arrived in, and fails closed.

Stream (``WebSocketClient``): the market channel over the library's WebSocket (heartbeat,
reconnect and resubscribe inside the library). ``receive()`` / ``for update in client`` /
``async for update in client`` give ``PriceUpdate`` objects (trade prices, no size: G3);
``receive_event()`` gives every ``StreamEvent`` (books, level changes, reconnects, ...).
``EventProcessor`` sizes price updates (the stream's size, else a REST back-fill) and filters
them by ``min_size``.

Blocking network calls can be interrupted with Ctrl-C on the main thread.
"""

from __future__ import annotations

from . import _ffi
from .errors import (
    PmBookInvalid,
    PmCancelled,
    PmCannotOpenDatabase,
    PmDatabaseBusy,
    PmDatabaseCorrupt,
    PmError,
    PmHTTPError,
    PmInternalError,
    PmNoOrderBook,
    PmInvalidArgument,
    PmInvalidUTF8,
    PmMisuse,
    PmNetworkError,
    PmParseError,
    PmRangeError,
    PmStaleDataError,
    PmStorageError,
    PmTimeoutError,
    PmTooLargeError,
)
from .client import Market, MarketToken, OrderBook, OrderBookLevel, PolymarketClient
from .gamma import GammaEvent
from .fetcher import TradeFetcher, fetch_recent_trades
from .numbers import format_decimal, parse_decimal
from .processor import EventProcessor, ProcessedEvent
from .recorder import TradeRecorder
from ._logging import set_log_level
from .storage import (
    Database,
    DatabaseConfig,
    PolymarketTokenMeta,
    PolymarketTrade,
    TokenMetaRepository,
    TradeRepository,
    TradeWatermark,
    TradeWatermarkRepository,
)
from .sync import MetadataSync, SyncReport
from .prices import PriceHistoryRepository, PricePoint
from .batch_prices import LastTradePrice
from .history import BackfillProgress, BackfillReport, TradeCoverage, backfill_trades, get_trade_coverage
from .stream import LevelChange, PriceUpdate, StreamEvent, WebSocketClient
from .health import AssetHealth, SocketHealth, StreamHealth
from .verify import PriceVerification, verify_orderbook_price


def version() -> str:
    """Version of the loaded libpmingest, e.g. "0.1.0" (``pm_version_string``)."""
    return _ffi.version_string()


__version__ = version()

__all__ = [
    "__version__",
    "version",
    # REST
    "PolymarketClient",
    "Market",
    "MarketToken",
    "GammaEvent",
    "OrderBook",
    "OrderBookLevel",
    "TradeFetcher",
    "fetch_recent_trades",
    "verify_orderbook_price",
    "PriceVerification",
    "MetadataSync",
    "SyncReport",
    # trade history
    "backfill_trades",
    "get_trade_coverage",
    "BackfillProgress",
    "BackfillReport",
    "TradeCoverage",
    "PricePoint",
    "LastTradePrice",
    "PriceHistoryRepository",
    # stream
    "WebSocketClient",
    "PriceUpdate",
    "StreamEvent",
    "StreamHealth",
    "SocketHealth",
    "AssetHealth",
    "LevelChange",
    "EventProcessor",
    "ProcessedEvent",
    "TradeRecorder",
    "set_log_level",
    # storage
    "Database",
    "DatabaseConfig",
    "PolymarketTrade",
    "PolymarketTokenMeta",
    "TradeWatermark",
    "TradeRepository",
    "TradeWatermarkRepository",
    "TokenMetaRepository",
    # exact decimals
    "parse_decimal",
    "format_decimal",
    # errors
    "PmError",
    "PmInvalidArgument",
    "PmInvalidUTF8",
    "PmNetworkError",
    "PmTimeoutError",
    "PmHTTPError",
    "PmParseError",
    "PmRangeError",
    "PmTooLargeError",
    "PmStaleDataError",
    "PmBookInvalid",
    "PmStorageError",
    "PmDatabaseBusy",
    "PmDatabaseCorrupt",
    "PmCannotOpenDatabase",
    "PmMisuse",
    "PmCancelled",
    "PmInternalError",
    "PmNoOrderBook",
]

# ---- MetadataSync's progress ----------------------------------------------------------------
from .sync import SyncProgress  # noqa: E402  (one appended block: merges stay clean)

__all__ += ["SyncProgress"]
# Research export (pmingest.export): Arrow / pandas with exact decimals; pyarrow and pandas are
# optional (pip install 'pmingest[arrow]' / 'pmingest[pandas]'), imported only when used.
from .export import (  # noqa: E402
    EventList,
    OrderBookList,
    PmMissingDependency,
    PricePointList,
    TokenMetaList,
    TradeList,
    books_to_arrow,
    books_to_pandas,
    events_to_arrow,
    events_to_pandas,
    price_history_to_arrow,
    price_history_to_pandas,
    token_metas_to_arrow,
    token_metas_to_pandas,
    trades_to_arrow,
    trades_to_pandas,
)

__all__ += [
    "PmMissingDependency",
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
    "TradeList",
    "PricePointList",
    "OrderBookList",
    "TokenMetaList",
    "EventList",
]
