"""The socket pool and stream health through the Python binding, on the fake server's strict
WebSocket channel (conftest starts it with --strict-ws): many assets over many sockets, one socket's
reconnect naming only its assets, and ``WebSocketClient.health()`` as plain objects."""

from __future__ import annotations

import json
import time

import pytest

import pmingest
from pmingest import _ffi

CONDITION = "0x" + "cd" * 32


def ids(n, start=0):
    return [str(90_000_000 + start + i) for i in range(n)]


def books_state(assets):
    return {
        a: {"market": CONDITION, "asset_id": a, "timestamp": "1767225600123", "hash": "00",
            "bids": [{"price": "0.40", "size": "10"}], "asks": [{"price": "0.60", "size": "10"}]}
        for a in assets
    }


def violations(fake):
    return [e["body"] for e in fake.ws_log() if e.get("ws") == "violation"]


def wait_until(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def pool_client(fake, **options):
    options.setdefault("connect_stagger_ms", 40)
    options.setdefault("queue_capacity", 100_000)
    options.setdefault("ping_interval_ms", 1_000)
    options.setdefault("pong_timeout_ms", 10_000)
    return fake.stream(**options)


def test_pool_options_defaults_and_validation(ws_fake):
    options = _ffi.StreamOptions()
    _ffi.pm_stream_options_init(options, _ffi.PM_STREAM_OPTIONS_VERSION)
    assert _ffi.PM_STREAM_OPTIONS_VERSION == 4
    assert (options.max_assets_per_connection, options.connect_stagger_ms, options.subscription_chunk_size) == (200, 250, 100)
    for bad in ({"max_assets_per_connection": 0}, {"max_assets_per_connection": 501}, {"connect_stagger_ms": -1},
                {"connect_stagger_ms": 60_001}, {"subscription_chunk_size": 0}, {"subscription_chunk_size": 501}):
        with pytest.raises((ValueError, pmingest.PmError)):
            pmingest.WebSocketClient(ws_fake.ws_url, **bad)
    with pytest.raises(TypeError):
        pmingest.WebSocketClient(ws_fake.ws_url, max_assets_per_connection="200")


def test_1200_assets_over_six_sockets_every_book_once(ws_fake):
    assets = ids(1200)
    ws_fake.set_state(books=books_state(assets))
    ws_fake.ws_script({})
    client = pool_client(ws_fake)
    client.subscribe(assets)
    client.connect()
    seen = {}
    deadline = time.monotonic() + 30
    while len(seen) < len(assets) and time.monotonic() < deadline:
        event = client.receive_event(timeout=1)
        if event is not None and event.type == "book":
            seen[event.token_id] = seen.get(event.token_id, 0) + 1
    assert len(seen) == len(assets) and set(seen.values()) == {1}
    assert violations(ws_fake) == []
    health = client.health()
    assert isinstance(health, pmingest.StreamHealth)
    assert [s.state for s in health.sockets] == ["open"] * 6
    assert [s.asset_count for s in health.sockets] == [200] * 6
    assert [a.token_id for a in health.assets] == assets
    assert all(a.continuity == "live" and a.last_event_age_ms is not None for a in health.assets)
    assert health.assets[450].socket == 2
    assert health.reconnects == 0 and health.gaps == 0
    # every frame the client sent is within the server's rules
    for entry in ws_fake.ws_log():
        if entry.get("ws") == "text" and entry["body"] != "PING":
            assert len(json.loads(entry["body"])["assets_ids"]) <= 100


def test_one_socket_reconnect_names_its_assets_only(ws_fake):
    assets = ids(450)
    ws_fake.set_state(books=books_state(assets))
    # socket 1 (the one holding assets[250]) is dropped, whichever order the sockets shook hands in
    drop = {"drop_after_ms": 1500, "drop_only_if_subscribed": assets[250]}
    ws_fake.ws_script(drop, drop, drop, {})
    client = pool_client(ws_fake)
    client.subscribe(assets)
    client.connect()
    gap = None
    deadline = time.monotonic() + 15
    while gap is None and time.monotonic() < deadline:
        event = client.receive_event(timeout=1)
        if event is not None and event.is_reconnect:
            gap = event
    assert gap is not None
    assert gap.reconnect_token_ids == tuple(assets[200:400])
    assert gap.detail
    book, valid, reason = client.book(assets[250])
    assert book is not None and not valid and "continuity lost" in reason
    _, valid_other, _ = client.book(assets[10])
    assert valid_other
    assert wait_until(lambda: [s.state for s in client.health().sockets] == ["open"] * 3)
    health = client.health()
    assert [s.reconnects for s in health.sockets] == [0, 1, 0]
    assert health.sockets[1].last_loss_reason
    assert health.reconnects == 1 and health.gaps == 1
    assert violations(ws_fake) == []


def test_health_before_connect_stale_assets_and_after_close(ws_fake):
    client = pool_client(ws_fake)
    client.subscribe(ids(3))
    health = client.health()
    assert health.sockets == (pmingest.SocketHealth(0, "idle", 3, 0, None),)
    assert all(a.continuity == "awaiting_snapshot" and a.last_event_age_ms is None for a in health.assets)
    assert [a.token_id for a in health.stale_assets(1)] == ids(3)
    assert health.queue_depth == 0 and health.queued_bytes == 0
    client.close()
    with pytest.raises(ValueError):
        client.health()


def test_queue_depth_and_live_asset(ws_fake):
    assets = ids(2)
    ws_fake.set_state(books=books_state(assets[:1]))   # only the first has a book
    ws_fake.ws_script({})
    client = pool_client(ws_fake)
    client.subscribe(assets)
    client.connect()
    assert wait_until(lambda: client.health().queue_depth >= 1)
    health = client.health()
    live = {a.token_id: a.continuity for a in health.assets}
    assert live == {assets[0]: "live", assets[1]: "awaiting_snapshot"}
    assert [a.token_id for a in health.stale_assets(60_000)] == [assets[1]]
    assert health.queued_bytes > 0
    assert client.receive_event(timeout=5).type == "book"
    assert client.health().queue_depth == 0
