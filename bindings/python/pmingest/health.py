"""The health of a ``WebSocketClient`` (``client.health()``): plain, immutable objects copied from
the library's snapshot (``pm_stream_health``), so they stay valid after the stream is closed.

* ``StreamHealth.sockets``: the pool's sockets (``SocketHealth``), the primary (id 0) first, with
  their state (``"idle"``, ``"connecting"``, ``"open"``, ``"backoff"``, ``"closed"``), assets and
  reconnects.
* ``StreamHealth.assets``: every subscribed asset (``AssetHealth``) in subscription order, with the
  socket it is on, the age of its last event (``None`` before the first) and its continuity
  (``"awaiting_snapshot"`` after a subscribe, reconnect or move until its ``book``; then ``"live"``).
* ``reconnects``, ``gaps`` (every ``reconnected`` event: reconnects, overflows, moves),
  ``queue_depth`` and ``queued_bytes``; ``stale_assets(older_than_ms)`` lists the assets to worry
  about.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from typing import Any, List, Optional, Tuple

from . import _ffi

_SOCKET_STATES = {
    _ffi.PM_SOCKET_IDLE: "idle",
    _ffi.PM_SOCKET_CONNECTING: "connecting",
    _ffi.PM_SOCKET_OPEN: "open",
    _ffi.PM_SOCKET_BACKOFF: "backoff",
    _ffi.PM_SOCKET_CLOSED: "closed",
}


@dataclass(frozen=True)
class SocketHealth:
    id: int
    state: str
    asset_count: int
    reconnects: int
    last_loss_reason: Optional[str]


@dataclass(frozen=True)
class AssetHealth:
    token_id: str
    socket: int
    last_event_age_ms: Optional[int]
    continuity: str


@dataclass(frozen=True)
class StreamHealth:
    sockets: Tuple[SocketHealth, ...]
    assets: Tuple[AssetHealth, ...]
    reconnects: int
    gaps: int
    queue_depth: int
    queued_bytes: int

    def stale_assets(self, older_than_ms: int) -> List[AssetHealth]:
        """The assets whose last event is at least ``older_than_ms`` old, or that had none yet."""
        return [a for a in self.assets if a.last_event_age_ms is None or a.last_event_age_ms >= older_than_ms]


def read_health(stream: "ctypes._Pointer[Any]") -> StreamHealth:
    """Takes and copies a snapshot of `stream` (a live pm_stream pointer)."""
    out = _ffi.HealthP()
    _ffi.pm_stream_health(stream, ctypes.byref(out))
    try:
        sockets = tuple(
            SocketHealth(
                id=_ffi.pm_health_socket_id(out, i),
                state=_SOCKET_STATES.get(_ffi.pm_health_socket_state(out, i), "closed"),
                asset_count=_ffi.pm_health_socket_asset_count(out, i),
                reconnects=_ffi.pm_health_socket_reconnects(out, i),
                last_loss_reason=_ffi.optional_text(_ffi.pm_health_socket_last_loss(out, i)),
            )
            for i in range(_ffi.pm_health_socket_count(out))
        )
        assets = []
        for i in range(_ffi.pm_health_asset_count(out)):
            age = _ffi.pm_health_asset_last_event_age_ms(out, i)
            live = _ffi.pm_health_asset_continuity(out, i) == _ffi.PM_CONTINUITY_LIVE
            assets.append(
                AssetHealth(
                    token_id=_ffi.text(_ffi.pm_health_asset_token_id(out, i)),
                    socket=_ffi.pm_health_asset_socket(out, i),
                    last_event_age_ms=None if age < 0 else age,
                    continuity="live" if live else "awaiting_snapshot",
                )
            )
        return StreamHealth(
            sockets=sockets,
            assets=tuple(assets),
            reconnects=_ffi.pm_health_reconnects(out),
            gaps=_ffi.pm_health_gaps(out),
            queue_depth=_ffi.pm_health_queue_depth(out),
            queued_bytes=_ffi.pm_health_queued_bytes(out),
        )
    finally:
        _ffi.pm_health_free(out)
