"""Price history: exact points (aware UTC ``timestamp``, ``Decimal`` ``price``) and their storage.

``PolymarketClient.fetch_price_history`` / ``fetch_price_histories`` fetch them (the Data API's
v2 history in windows of at most 15 days; the CLOB's batch endpoint, 20 tokens a call);
``PriceHistoryRepository`` keeps one price per token and timestamp in the database.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Iterable, List, Optional

from . import _convert, _ffi
from .storage import Database, _require_db
from .export import PricePointList

__all__ = ["PricePoint", "PriceHistoryRepository"]


@dataclass(frozen=True)
class PricePoint:
    """One observed price of a token."""

    token_id: str
    timestamp: datetime
    price: Decimal


def read_points(out: "ctypes._Pointer[Any]") -> List[PricePoint]:
    """Copies a pm_price_points list into PricePoint objects and frees it."""
    try:
        return PricePointList(
            PricePoint(
                token_id=_ffi.text(_ffi.pm_price_points_token_id(out, i)),
                timestamp=_convert.from_ms(_ffi.pm_price_points_timestamp_ms(out, i)),
                price=_convert.micros_to_decimal(_ffi.pm_price_points_price_micros(out, i)),
            )
            for i in range(_ffi.pm_price_points_count(out))
        )
    finally:
        _ffi.pm_price_points_free(out)


class PriceHistoryRepository:
    """Stores and reads price points in ``database``."""

    def __init__(self, database: Database) -> None:
        self._db = _require_db(database)

    def upsert(self, points: Iterable[PricePoint]) -> int:
        """Upserts the points in one transaction (all or none; a later price of the same token and
        timestamp replaces the earlier one). Returns how many were new."""
        keep: List[bytes] = []
        rows = []
        for index, point in enumerate(points):
            if not isinstance(point, PricePoint):
                raise TypeError(f"points[{index}] must be a PricePoint, not {type(point).__name__}")
            rows.append(_ffi.PricePointInput(
                _ffi.PM_PRICE_POINT_INPUT_VERSION,
                _convert.encode(point.token_id, f"points[{index}].token_id", keep),
                _convert.to_ms(point.timestamp, f"points[{index}].timestamp"),
                _convert.encode_decimal(point.price, f"points[{index}].price", keep),
            ))
        if not rows:
            return 0
        array = (_ffi.PricePointInput * len(rows))(*rows)
        inserted = ctypes.c_size_t(0)
        with self._db._use() as store:
            _ffi.pm_store_upsert_price_points(store, array, len(rows), ctypes.byref(inserted))
        return inserted.value

    def points(self, token_id: str, start: Optional[datetime] = None,
               end: Optional[datetime] = None) -> List[PricePoint]:
        """The stored points of ``token_id`` with ``start <= timestamp <= end`` (None: open),
        oldest first."""
        keep: List[bytes] = []
        encoded = _convert.encode(token_id, "token_id", keep)
        low = _ffi.INT64_MIN if start is None else _convert.to_ms(start, "start", round_up=True)
        high = _ffi.INT64_MAX if end is None else _convert.to_ms(end, "end")
        out = _ffi.PricePointsP()
        with self._db._use() as store:
            _ffi.pm_store_query_price_points(store, encoded, low, high, ctypes.byref(out))
        return read_points(out)
