"""pmingest: Polymarket market-data ingestion, Python binding of libpmingest.

The library (``libpmingest.so``) is found through ``$PMINGEST_LIBRARY`` (a full path), then next
to this package, then on the system search path; importing fails with ``ImportError`` if it is
missing or was built for another ABI.

Money is exact: prices and sizes are ``decimal.Decimal`` (never ``float``), timestamps are
time-zone-aware UTC ``datetime`` objects.
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
from .numbers import format_decimal, parse_decimal
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


def version() -> str:
    """Version of the loaded libpmingest, e.g. "0.1.0" (``pm_version_string``)."""
    return _ffi.version_string()


__version__ = version()

__all__ = [
    "__version__",
    "version",
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
]
