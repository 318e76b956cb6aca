"""The overflow policy (``WebSocketClient(..., overflow="pause")``: nothing lost, the socket stops
being read while the queue is full) and the batch pull (``receive_events``), through the real
library against the fake server's strict WebSocket channel (``ws_fake`` fixture, conftest.py)."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

import pmingest

A_CONDITION = "0x7b2a8faa00b2751622e6f43ddb32fc4112498d94cc835d73b2cf44946a56845c"
A_YES = "144025376118479892262749490880200562967355458335621099086839387638815271716888"
BASE_MS = 1767225600000
BURST = 20_000


def flood(session, count: int) -> None:
    """`count` distinct trades of A_YES (timestamps BASE_MS + i), pumped once the client subscribes."""
    session.ws_script({"dump": False})
    frames = [
        {
            "json": {
                "event_type": "last_trade_price",
                "market": A_CONDITION,
                "asset_id": A_YES,
                "price": "0.5",
                "size": "1",
                "side": "BUY",
                "fee_rate_bps": "0",
                "timestamp": str(BASE_MS + i),
            }
        }
        for i in range(count)
    ]
    session._control("POST", "/ws/flood", {"frames": frames, "count": count})


def test_overflow_argument_checked(ws_fake):
    with pytest.raises(ValueError):
        ws_fake.stream(overflow="block")
    with pytest.raises(TypeError):
        ws_fake.stream(overflow=1)
    with pytest.raises(pmingest.PmInvalidArgument):
        ws_fake.stream(overflow="pause", max_paused_ms=-1)
    client = ws_fake.stream(overflow="pause", max_paused_ms=0)
    assert client.stats()["pauses"] == 0
    assert client.stats()["pause_timeouts"] == 0
    assert client.receive_events(10, timeout=0) == []
    with pytest.raises(pmingest.PmInvalidArgument):
        client.receive_events(0, timeout=0)


def test_pause_burst_late_consumer(ws_fake):
    """20,000 frames into a 500-event queue, the consumer 2 s late: all of them, in order, no gap."""
    flood(ws_fake, BURST)
    client = ws_fake.stream(
        overflow="pause", queue_capacity=500, ping_interval_ms=200, pong_timeout_ms=1000
    )
    client.subscribe([A_YES])
    client.connect()
    deadline = time.monotonic() + 5
    while client.stats()["pauses"] < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert client.stats()["pauses"] == 1
    time.sleep(2.0)  # the consumer starts late; the PONG deadline (1 s) must not fire
    assert client.stats()["pauses"] == 1
    stamps = []
    others = []
    deadline = time.monotonic() + 60
    while len(stamps) < BURST and time.monotonic() < deadline:
        for event in client.receive_events(512, timeout=0.2):
            if event.type == "last_trade_price":
                assert isinstance(event.price, Decimal)
                stamps.append(int(event.timestamp.timestamp() * 1000 + 0.5))
            else:
                others.append(event)
    assert len(stamps) == BURST
    assert stamps == [BASE_MS + i for i in range(BURST)]
    assert others == []  # no gap marker, no reconnect
    stats = client.stats()
    assert stats["dropped"] == 0
    assert stats["reconnects"] == 0
    assert client.is_connected


def test_pause_burst_iterating_price_updates(ws_fake):
    """The same burst through the PriceUpdate iterator (batch-pulled underneath)."""
    flood(ws_fake, BURST)
    client = ws_fake.stream(overflow="pause", queue_capacity=500, pong_timeout_ms=1000, ping_interval_ms=200)
    client.subscribe([A_YES])
    client.connect()
    time.sleep(2.0)
    n = 0
    expected = BASE_MS
    for update in client:
        assert int(update.timestamp.timestamp() * 1000 + 0.5) == expected
        assert update.price == Decimal("0.5")
        expected += 1
        n += 1
        if n == BURST:
            break
    assert n == BURST
    assert client.stats()["dropped"] == 0
    assert client.stats()["pauses"] >= 1


def test_paused_too_long_reconnects(ws_fake):
    flood(ws_fake, 2_000)
    client = ws_fake.stream(overflow="pause", queue_capacity=50, max_paused_ms=300, pong_timeout_ms=20_000)
    client.subscribe([A_YES])
    client.connect()
    deadline = time.monotonic() + 10
    while client.stats()["reconnects"] < 1 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert client.stats()["pause_timeouts"] >= 1
    gap = None
    deadline = time.monotonic() + 5
    while gap is None and time.monotonic() < deadline:
        for event in client.receive_events(64, timeout=0.1):
            if event.is_reconnect and "paused" in (event.detail or ""):
                gap = event
    assert gap is not None
    assert client.stats()["dropped"] == 0
