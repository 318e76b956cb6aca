"""Gamma events: a group of related markets, as ``PolymarketClient.fetch_events`` lists them."""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from typing import Any, List, Optional, Tuple

from . import _ffi
from .client import Market, _read_market

__all__ = ["GammaEvent"]


@dataclass(frozen=True)
class GammaEvent:
    """One Gamma event: ``id`` (Gamma's numeric id, as a string), ``slug`` and ``title`` (None
    when absent), ``active``/``closed``, and its ``markets`` (``Market`` objects, exact
    decimals, each with its ``protocol_version``)."""

    id: str
    slug: Optional[str]
    title: Optional[str]
    active: bool
    closed: bool
    markets: Tuple[Market, ...]


def _read_event(ptr: "ctypes._Pointer[Any]") -> GammaEvent:
    return GammaEvent(
        id=_ffi.text(_ffi.pm_gamma_event_id(ptr)),
        slug=_ffi.optional_text(_ffi.pm_gamma_event_slug(ptr)),
        title=_ffi.optional_text(_ffi.pm_gamma_event_title(ptr)),
        active=bool(_ffi.pm_gamma_event_active(ptr)),
        closed=bool(_ffi.pm_gamma_event_closed(ptr)),
        markets=tuple(
            _read_market(_ffi.pm_gamma_event_market_at(ptr, index))
            for index in range(_ffi.pm_gamma_event_market_count(ptr))
        ),
    )


def read_events(events: "ctypes._Pointer[Any]") -> List[GammaEvent]:
    """Copies a pm_gamma_events list into GammaEvent objects (the caller frees the list)."""
    return [_read_event(_ffi.pm_gamma_events_at(events, index)) for index in range(_ffi.pm_gamma_events_count(events))]
