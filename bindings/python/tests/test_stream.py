"""The stream surface (WebSocketClient, PriceUpdate, StreamEvent, EventProcessor) through the real
library (libwebsockets) against the fake server's WebSocket channel.

Every test scripts its own session (``ws_fake`` fixture, conftest.py): what each connection sends
on subscribe, whether PING gets its PONG, drops. Nothing here touches the internet.
"""

from __future__ import annotations

import _thread
import asyncio
import dataclasses
import gc
import threading
import time
import weakref
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

import pmingest
from pmingest import _ffi, stream as stream_module

# The basic preset's market A (README §4): both tokens have books (bids ascending on the wire).
A_CONDITION = "0x7b2a8faa00b2751622e6f43ddb32fc4112498d94cc835d73b2cf44946a56845c"
A_YES = "144025376118479892262749490880200562967355458335621099086839387638815271716888"
A_NO = "112278289787275788450760739773662884649160898737205504916059379809203140215082"
TOKEN = A_YES
CONDITION = A_CONDITION
T_MS = 1767225600789  # 2026-01-01T00:00:00.789Z
T = datetime(2026, 1, 1, 0, 0, 0, 789000, tzinfo=timezone.utc)


def floor_to_ms(moment: datetime) -> datetime:
    """A microsecond clock reading truncated to the library's resolution: it stamps events with
    its wall clock in whole milliseconds, truncated, so a stamp taken after `moment` may still
    read up to 999 us earlier than `moment` itself (never earlier than this)."""
    return moment.replace(microsecond=moment.microsecond - moment.microsecond % 1000)


def last_trade(price="0.52", size="84.17", token=TOKEN, ts=T_MS, side="BUY"):
    """A last_trade_price event as the feed sends it (decimal strings, ms-string timestamp)."""
    event = {
        "event_type": "last_trade_price",
        "market": CONDITION,
        "asset_id": token,
        "price": price,
        "side": side,
        "fee_rate_bps": "0",
        "timestamp": str(ts),
        "transaction_hash": "0x9f3e",
    }
    if size is not None:
        event["size"] = size
    return event


def level_changes(*changes, ts=T_MS):
    """A current-schema price_change: order-book level deltas, NOT trades."""
    return {
        "event_type": "price_change",
        "market": CONDITION,
        "timestamp": str(ts),
        "price_changes": [
            {
                "asset_id": token,
                "price": price,
                "size": size,
                "side": side,
                "hash": "56621a12",
                "best_bid": "0.51",
                "best_ask": "0.52",
            }
            for token, side, price, size in changes
        ],
    }


def book_event(bids, asks, token=TOKEN, ts=T_MS):
    """A book snapshot as on the wire (bids ascending, asks descending: best level last)."""
    return {
        "event_type": "book",
        "market": CONDITION,
        "asset_id": token,
        "timestamp": str(ts),
        "hash": "3cd4",
        "bids": [{"price": p, "size": s} for p, s in bids],
        "asks": [{"price": p, "size": s} for p, s in asks],
        "tick_size": "0.01",
        "min_order_size": "5",
    }


def connected(fake, *scripts, tokens=(TOKEN,), **options):
    """A connected, subscribed client on the session, the connections following `scripts`."""
    fake.ws_script(*scripts)
    client = fake.stream(**options)
    client.connect()
    client.subscribe(list(tokens))
    return client


def drain_events(client, seconds=0.3):
    events = []
    deadline = time.monotonic() + seconds
    while True:
        event = client.receive_event(timeout=max(0.0, deadline - time.monotonic()))
        if event is None:
            return events
        events.append(event)


def next_event_of(client, type_name, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        event = client.receive_event(timeout=max(0.0, deadline - time.monotonic()))
        if event is not None and event.type == type_name:
            return event
    raise AssertionError(f"no {type_name} event within {timeout} s")


# ---------------------------------------------------------------------------------------------
# Price updates (and G3)
# ---------------------------------------------------------------------------------------------


def test_connect_subscribe_receive_a_price_update(ws_fake):
    client = connected(ws_fake, {"dump": False, "on_subscribe": [{"json": last_trade()}]})
    assert client.is_connected
    update = client.receive(timeout=5)
    assert type(update) is pmingest.PriceUpdate
    assert update.token_id == TOKEN and isinstance(update.token_id, str)
    assert update.price == Decimal("0.52") and type(update.price) is Decimal
    assert update.timestamp == T and update.timestamp.tzinfo is not None
    assert update.timestamp.utcoffset() == timedelta(0)
    assert update.condition_id == CONDITION
    # the subscription went out as the real feed expects it
    subscribe = [e["body"] for e in ws_fake.ws_log() if e.get("ws") == "text" and "assets_ids" in e["body"]]
    assert subscribe and '"assets_ids"' in subscribe[0] and TOKEN in subscribe[0]


def test_g3_price_update_has_no_size(ws_fake):
    """The brief's check: a price update carries no size, even when the feed sent one."""
    client = connected(ws_fake, {"dump": False, "on_subscribe": [{"json": last_trade(size="84.17")}]})
    update = client.receive(timeout=5)
    assert not hasattr(update, "size") or update.size is None
    assert "size" not in {f.name for f in dataclasses.fields(pmingest.PriceUpdate)}
    with pytest.raises(dataclasses.FrozenInstanceError):
        update.size = Decimal("1")  # type: ignore[misc]
    doc = pmingest.PriceUpdate.__doc__
    assert "G3" in doc and "fetch_trade_size_at_price" in doc


def test_price_update_refuses_inexact_values():
    with pytest.raises(TypeError):
        pmingest.PriceUpdate(TOKEN, 0.52, T)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        pmingest.PriceUpdate(TOKEN, Decimal("0.52"), datetime(2026, 1, 1))  # naive


def test_level_changes_never_produce_price_updates(ws_fake):
    changes = level_changes((TOKEN, "BUY", "0.51", "300"), (TOKEN, "SELL", "0.95", "0"))
    client = connected(ws_fake, {"dump": False, "on_subscribe": [{"json": changes}]})
    with pytest.raises(TimeoutError):
        client.receive(timeout=0.4)  # the level changes were skipped, nothing else came
    ws_fake.ws_send({"json": changes}, {"json": last_trade(price="0.48")})
    update = client.receive(timeout=5)  # skips the level changes, returns the trade
    assert update.price == Decimal("0.48")
    assert client.stats()["events"] == 3


def test_level_changes_as_events(ws_fake):
    changes = level_changes((TOKEN, "BUY", "0.51", "300"), (A_NO, "SELL", "0.95", "0"))
    client = connected(ws_fake, {"dump": False, "on_subscribe": [{"json": changes}]}, tokens=(TOKEN, A_NO))
    event = client.receive_event(timeout=5)
    assert event.type == "price_change"
    assert not event.is_price_update and event.price_update is None and event.price is None
    assert event.token_id is None  # two assets: see changes
    assert event.condition_id == CONDITION and event.timestamp == T
    assert event.changes == (
        pmingest.LevelChange(TOKEN, "BUY", Decimal("0.51"), Decimal("300")),
        pmingest.LevelChange(A_NO, "SELL", Decimal("0.95"), Decimal("0")),
    )


def test_legacy_price_change_is_a_price_update(ws_fake):
    """The brief's simplified {"type":"price_change","asset_id":…,"price":…}, with and without a
    wire timestamp (then stamped with the time the binding pulled it)."""
    legacy = {"type": "price_change", "asset_id": TOKEN, "price": "0.55"}
    stamped = dict(legacy, price="0.56", timestamp=str(T_MS))
    client = connected(ws_fake, {"dump": False, "on_subscribe": [{"json": stamped}]})
    update = client.receive(timeout=5)
    assert (update.token_id, update.price, update.timestamp) == (TOKEN, Decimal("0.56"), T)

    before = datetime.now(timezone.utc)
    ws_fake.ws_send({"json": legacy})
    update = client.receive(timeout=5)
    after = datetime.now(timezone.utc)
    assert (update.token_id, update.price) == (TOKEN, Decimal("0.55"))
    # The stamp is in ms (truncated), the bounds in us: compare at the stamp's resolution.
    assert floor_to_ms(before) <= update.timestamp <= after and update.timestamp.utcoffset() == timedelta(0)

    ws_fake.ws_send({"json": legacy})
    event = client.receive_event(timeout=5)
    assert event.type == "price_change" and event.is_price_update and not event.changes
    # No wire timestamp: the library stamps the brief's legacy form with its receive time.
    assert event.timestamp is not None and event.received_at is not None
    assert abs((event.received_at - event.timestamp).total_seconds()) < 5
    assert event.price_update == pmingest.PriceUpdate(TOKEN, Decimal("0.55"), event.timestamp)


def test_header_promise_legacy_price_change_without_timestamp_is_a_price_update(ws_fake):
    legacy = {"type": "price_change", "asset_id": TOKEN, "price": "0.55"}
    client = connected(ws_fake, {"dump": False, "on_subscribe": [{"json": legacy}]})
    event = client.receive_event(timeout=5)
    native = event._native.pointer
    assert _ffi.pm_event_get_type(native) == _ffi.PM_EVENT_LEGACY_PRICE_CHANGE
    assert _ffi.pm_event_is_price_update(native)


def test_last_trade_price_event_fields(ws_fake):
    client = connected(
        ws_fake,
        {"dump": False, "on_subscribe": [{"json": last_trade(size="84.17", side="SELL")}, {"json": last_trade(size=None)}]},
    )
    with_size = client.receive_event(timeout=5)
    assert with_size.type == "last_trade_price" and with_size.is_price_update
    assert (with_size.price, with_size.trade_size, with_size.side) == (Decimal("0.52"), Decimal("84.17"), "SELL")
    assert with_size.price_update == pmingest.PriceUpdate(TOKEN, Decimal("0.52"), T, CONDITION)
    without = client.receive_event(timeout=5)
    assert without.trade_size is None  # normal (G3)


def test_other_event_kinds(ws_fake):
    frames = [
        {"json": {"event_type": "best_bid_ask", "market": CONDITION, "asset_id": TOKEN, "best_bid": "0.51",
                  "best_ask": "", "spread": "0.01", "timestamp": str(T_MS)}},
        {"json": {"event_type": "tick_size_change", "market": CONDITION, "asset_id": TOKEN,
                  "old_tick_size": "0.01", "new_tick_size": "0.001", "timestamp": str(T_MS)}},
        {"json": {"event_type": "some_future_event", "asset_id": TOKEN}},  # skipped, counted
        {"text": "not json"},  # skipped, counted
    ]
    client = connected(ws_fake, {"dump": False, "on_subscribe": frames})
    quote = client.receive_event(timeout=5)
    assert quote.type == "best_bid_ask" and (quote.best_bid, quote.best_ask) == (Decimal("0.51"), None)
    tick = client.receive_event(timeout=5)
    assert tick.type == "tick_size_change" and tick.price == Decimal("0.001") and not tick.is_price_update
    assert client.receive_event(timeout=0.3) is None
    stats = client.stats()
    assert stats["skipped"] == 2 and stats["events"] == 2
    assert set(stats) == {"frames", "events", "pongs", "reconnects", "skipped", "dropped", "queued_bytes",
                          "queued_bytes_peak", "pauses", "pause_timeouts"}
    assert client.is_connected  # bad frames never cost the connection


# ---------------------------------------------------------------------------------------------
# Books: the initial dump (an array frame), local books
# ---------------------------------------------------------------------------------------------


def test_initial_dump_array_frame_gives_book_events_best_first(ws_fake):
    ws_fake.seed("basic")
    client = connected(ws_fake, {}, tokens=(A_YES, A_NO))  # default script: dump on subscribe
    books = {}
    for _ in range(2):
        event = client.receive_event(timeout=5)
        assert event.type == "book" and not event.is_price_update
        books[event.token_id] = event.book
    assert set(books) == {A_YES, A_NO}
    state = ws_fake.server.control("GET", f"/_control/sessions/{ws_fake.id}/state")
    for token, book in books.items():
        assert isinstance(book, pmingest.OrderBook) and book.token_id == token
        assert book.condition_id == A_CONDITION
        bid_prices = [level.price for level in book.bids]
        ask_prices = [level.price for level in book.asks]
        assert bid_prices == sorted(bid_prices, reverse=True) and len(bid_prices) > 2
        assert ask_prices == sorted(ask_prices) and len(ask_prices) > 2
        wire = state["books"][token]
        assert book.best_bid.price == Decimal(wire["bids"][-1]["price"])  # the wire's LAST bid
        assert book.best_ask.price == Decimal(wire["asks"][-1]["price"])
        assert all(type(level.price) is Decimal and type(level.size) is Decimal for level in book.bids)
        assert book.timestamp.tzinfo is not None
    # the whole dump came as one array frame
    assert client.stats()["frames"] == 1


def test_scripted_array_frame_and_local_book(ws_fake):
    snapshot = book_event(bids=[("0.40", "10"), ("0.45", "20")], asks=[("0.60", "30"), ("0.55", "40")])
    client = connected(ws_fake, {"dump": False, "on_subscribe": [{"json": [snapshot, last_trade(price="0.45")]}]})
    assert client.book(TOKEN) == (None, False, None)  # nothing pulled yet
    event = client.receive_event(timeout=5)
    assert event.type == "book"
    assert [lvl.price for lvl in event.book.bids] == [Decimal("0.45"), Decimal("0.40")]
    assert [lvl.price for lvl in event.book.asks] == [Decimal("0.55"), Decimal("0.60")]
    book, valid, reason = client.book(TOKEN)
    assert valid and reason is None and book.bids == event.book.bids and book.asks == event.book.asks
    assert client.receive(timeout=5).price == Decimal("0.45")  # the second element of the array

    ws_fake.ws_send({"json": level_changes((TOKEN, "BUY", "0.47", "5"), (TOKEN, "SELL", "0.55", "0"))})
    assert client.receive_event(timeout=5).type == "price_change"
    book, valid, _ = client.book(TOKEN)
    assert valid
    assert book.best_bid == pmingest.OrderBookLevel(Decimal("0.47"), Decimal("5"))
    assert book.best_ask == pmingest.OrderBookLevel(Decimal("0.60"), Decimal("30"))  # 0.55 removed


def test_local_books_trust_only_their_own_subscribed_token(ws_fake):
    """Events of an unsubscribed asset neither create nor change a local book; size-0 levels are
    not levels; an unsubscribed token's book is invalid; events with bad ids are skipped."""
    client = connected(ws_fake, {"dump": False, "only_subscribed": False})
    ws_fake.ws_send(
        {"json": book_event(bids=[("0.40", "10")], asks=[("0.60", "10")])},
        {"json": book_event(bids=[("0.90", "5")], asks=[("0.95", "5")], token=A_NO)},
        {"json": level_changes((A_NO, "BUY", "0.91", "5"), (TOKEN, "BUY", "0.52", "7"))},
        {"json": last_trade(price="0.71")},
    )
    assert client.receive(timeout=5).price == Decimal("0.71")  # every earlier event pulled
    assert client.book(A_NO) == (None, False, None)
    book, valid, _ = client.book(TOKEN)
    assert valid and book.token_id == TOKEN
    assert book.best_bid == pmingest.OrderBookLevel(Decimal("0.52"), Decimal("7"))

    zero = book_event(bids=[("0.05", "10"), ("0.95", "0")], asks=[("0.99", "1"), ("0.06", "0")])
    ws_fake.ws_send({"json": zero}, {"json": last_trade(price="0.72")})
    event = next_event_of(client, "book")
    assert [lvl.price for lvl in event.book.bids] == [Decimal("0.05")]
    assert client.receive(timeout=5).price == Decimal("0.72")
    book, valid, _ = client.book(TOKEN)
    assert valid
    assert [lvl.price for lvl in book.bids] == [Decimal("0.05")]
    assert [lvl.price for lvl in book.asks] == [Decimal("0.99")]

    skipped = client.stats()["skipped"]
    ws_fake.ws_send(
        {"json": last_trade(price="0.5", token="x1")},
        {"json": dict(last_trade(price="0.5"), market="0x\x00c")},
        {"json": last_trade(price="0.73")},
    )
    assert client.receive(timeout=5).price == Decimal("0.73")  # neither bad event came out
    assert client.stats()["skipped"] - skipped == 2

    client.unsubscribe([TOKEN])
    book, valid, reason = client.book(TOKEN)
    assert book is not None and valid is False and "not subscribed" in reason
    for bad in ("..", "tok1", "1" * 79):
        with pytest.raises(pmingest.PmInvalidArgument):
            client.subscribe([bad])


# ---------------------------------------------------------------------------------------------
# Reconnects
# ---------------------------------------------------------------------------------------------

FAST = dict(ping_interval_ms=200, pong_timeout_ms=600)


def test_reconnect_after_a_drop_then_data_flows_again(ws_fake):
    second = {"dump": False, "on_subscribe": [{"json": last_trade(price="0.61")}]}
    client = connected(ws_fake, {"dump": False, "drop_after_ms": 300}, second, **FAST)
    started = time.monotonic()
    event = next_event_of(client, "reconnected", timeout=5)
    assert event.is_reconnect and event.detail and not event.is_price_update
    assert event.token_id is None and event.timestamp is None
    assert client.receive(timeout=5).price == Decimal("0.61")  # resubscribed on the new socket
    assert time.monotonic() - started < 4
    assert client.stats()["reconnects"] == 1 and client.is_connected
    connects = [e for e in ws_fake.ws_log() if e.get("ws") == "connect"]
    assert len(connects) == 2 and connects[1]["open_before"] == 0  # the old socket was closed


def test_reconnect_when_pongs_stop(ws_fake):
    second = {"dump": False, "on_subscribe": [{"json": last_trade(price="0.62")}]}
    client = connected(ws_fake, {"dump": False, "pong": False}, second, **FAST)
    event = next_event_of(client, "reconnected", timeout=5)
    assert event.detail
    assert client.receive(timeout=5).price == Decimal("0.62")
    deadline = time.monotonic() + 3
    while client.stats()["pongs"] == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    stats = client.stats()
    assert stats["reconnects"] == 1 and stats["pongs"] >= 1  # PONGs flow on the new socket
    pings = [e for e in ws_fake.ws_log() if e.get("ws") == "text" and e["body"] == "PING"]
    assert len(pings) >= 2


def test_local_book_invalid_after_reconnect_until_the_next_snapshot(ws_fake):
    ws_fake.seed("basic")
    client = connected(ws_fake, {"drop_after_ms": 400}, {"dump": False}, **FAST)
    assert next_event_of(client, "book").token_id == TOKEN
    book, valid, reason = client.book(TOKEN)
    assert book is not None and valid and reason is None
    reconnected = next_event_of(client, "reconnected", timeout=5)
    book, valid, reason = client.book(TOKEN)
    assert book is not None and not valid and reason  # kept, but distrusted
    assert reconnected.detail
    assert ws_fake.ws_send({"books": [TOKEN]}) == 1  # a fresh snapshot on the new connection
    assert next_event_of(client, "book").token_id == TOKEN
    book, valid, reason = client.book(TOKEN)
    assert valid and reason is None and book.best_bid.price == Decimal("0.51")


# ---------------------------------------------------------------------------------------------
# Lifecycle: close, use after close, Ctrl-C, iteration, async
# ---------------------------------------------------------------------------------------------


def test_close_from_another_thread_unblocks_receive_at_once(ws_fake):
    client = connected(ws_fake, {"dump": False})
    outcome = []

    def consume() -> None:
        try:
            client.receive()
        except BaseException as error:
            outcome.append((error, time.monotonic()))

    consumer = threading.Thread(target=consume)
    consumer.start()
    time.sleep(0.3)  # blocked in pm_stream_next
    assert consumer.is_alive()
    closed_at = time.monotonic()
    client.close()
    close_took = time.monotonic() - closed_at
    consumer.join(2)
    assert not consumer.is_alive()
    (error, woke_at), = outcome
    assert isinstance(error, pmingest.PmCancelled)
    assert woke_at - closed_at < 0.25 and close_took < 0.25
    assert not client.is_connected


def test_close_twice_and_use_after_close(ws_fake):
    client = connected(ws_fake, {"dump": False, "on_subscribe": [{"json": last_trade()}]})
    event = client.receive_event(timeout=5)
    final = client.stats()
    client.close()
    client.close()
    assert client.closed and not client.is_connected
    assert client.stats()["events"] >= final["events"]  # the final counters
    for call in (
        client.connect,
        lambda: client.subscribe([TOKEN]),
        lambda: client.unsubscribe([TOKEN]),
        client.receive,
        lambda: client.receive_event(timeout=0),
        lambda: client.book(TOKEN),
        lambda: iter(client),
        client.events,
        client.__enter__,
    ):
        with pytest.raises(ValueError, match="closed"):
            call()
    # events outlive their client
    assert event.price_update.price == Decimal("0.52")
    with pmingest.WebSocketClient(ws_fake.ws_url) as other:
        pass
    assert other.closed


def test_iteration_yields_price_updates_and_ends_on_close(ws_fake):
    frames = [{"json": level_changes((TOKEN, "BUY", "0.5", "1"))}, {"json": last_trade(price="0.51")},
              {"json": last_trade(price="0.52")}]
    client = connected(ws_fake, {"dump": False, "on_subscribe": frames})
    seen = []
    for update in client:
        seen.append(update.price)
        if len(seen) == 2:
            threading.Timer(0.2, client.close).start()
    assert seen == [Decimal("0.51"), Decimal("0.52")]  # and the loop ended when closed
    assert client.closed


def test_events_iterator(ws_fake):
    ws_fake.seed("basic")
    client = connected(ws_fake, {"on_subscribe": [{"json": last_trade()}]})
    kinds = []
    for event in client.events():
        kinds.append(event.type)
        if len(kinds) == 2:
            break
    assert kinds == ["book", "last_trade_price"]


def test_ctrl_c_interrupts_a_blocked_receive_and_the_client_stays_usable(ws_fake):
    client = connected(ws_fake, {"dump": False})
    timer = threading.Timer(0.3, _thread.interrupt_main)
    started = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        client.receive()
    assert time.monotonic() - started < 0.3 + 0.5
    timer.join()
    ws_fake.ws_send({"json": last_trade(price="0.53")})
    assert client.receive(timeout=5).price == Decimal("0.53")  # still usable


def test_ctrl_c_aborts_a_hanging_connect_and_closes_the_client(ws_fake):
    ws_fake.ws_script({"hang_handshake": True})
    client = ws_fake.stream()
    timer = threading.Timer(0.3, _thread.interrupt_main)
    started = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        client.connect()
    assert time.monotonic() - started < 0.3 + 1.0
    timer.join()
    assert client.closed and not client.is_connected
    with pytest.raises(ValueError, match="closed"):
        client.subscribe([TOKEN])


def test_close_from_another_thread_aborts_a_hanging_connect(ws_fake):
    ws_fake.ws_script({"hang_handshake": True})
    client = ws_fake.stream()
    threading.Timer(0.3, client.close).start()
    started = time.monotonic()
    with pytest.raises(pmingest.PmCancelled):
        client.connect()
    assert time.monotonic() - started < 0.3 + 1.0


def wait_for_text(fake, predicate, timeout=3.0):
    """The first client text message (subscribe payload, PING) the fake logged that matches."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for entry in fake.ws_log():
            if entry.get("ws") == "text" and predicate(entry["body"]):
                return entry["body"]
        time.sleep(0.02)
    raise AssertionError("no matching client message within the timeout")


def test_unsubscribe_and_subscribe_on_the_open_socket(ws_fake):
    client = connected(ws_fake, {"dump": False})
    wait_for_text(ws_fake, lambda body: '"type":"market"' in body.replace(" ", "") and TOKEN in body)
    client.subscribe([A_NO])
    added = wait_for_text(ws_fake, lambda body: '"subscribe"' in body and A_NO in body)
    assert TOKEN not in added  # only the new asset
    client.unsubscribe([A_NO])
    wait_for_text(ws_fake, lambda body: '"unsubscribe"' in body and A_NO in body)
    with pytest.raises(TypeError):
        client.subscribe(TOKEN)  # a single string is not a list of ids
    with pytest.raises(TypeError):
        client.subscribe([123])  # type: ignore[list-item]


def test_options_are_checked():
    with pytest.raises(TypeError):
        pmingest.WebSocketClient("ws://127.0.0.1:1/ws/market", ping_interval_ms=0.5)  # type: ignore[arg-type]
    with pytest.raises(pmingest.PmInvalidArgument):
        pmingest.WebSocketClient("ws://127.0.0.1:1/ws/market", queue_capacity=0)
    with pytest.raises(pmingest.PmInvalidArgument):
        pmingest.WebSocketClient("ws://127.0.0.1:1/ws/market", queue_capacity=1_000_001)
    with pytest.raises(pmingest.PmInvalidArgument):
        pmingest.WebSocketClient("ws://127.0.0.1:1/ws/market", queue_max_bytes=1000)
    with pytest.raises(pmingest.PmInvalidArgument):
        pmingest.WebSocketClient("http://not-a-websocket-url")
    with pytest.raises(TypeError):
        pmingest.WebSocketClient(b"ws://127.0.0.1:1/ws/market")  # type: ignore[arg-type]
    client = pmingest.WebSocketClient()  # the production URL: made, never connected
    assert client.url is None and not client.is_connected
    client.close()


def test_connect_refused_is_a_network_error():
    client = pmingest.WebSocketClient("ws://127.0.0.1:9/ws/market")
    with pytest.raises((pmingest.PmNetworkError, pmingest.PmTimeoutError)):
        client.connect()
    client.close()


def test_async_iteration(ws_fake):
    frames = [{"json": last_trade(price="0.51")}, {"json": level_changes((TOKEN, "BUY", "0.5", "1"))},
              {"json": last_trade(price="0.52")}]
    client = connected(ws_fake, {"dump": False})

    async def main():
        ticks = 0
        stop = asyncio.Event()

        async def ticker():
            nonlocal ticks
            while not stop.is_set():
                ticks += 1
                await asyncio.sleep(0.01)

        tick_task = asyncio.ensure_future(ticker())
        # a cancelled wait loses nothing: the next pull gets the event
        iterator = client.__aiter__()
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(iterator.__anext__(), 0.3)
        ws_fake.ws_send(*frames)
        seen = []
        async for update in client:
            assert isinstance(update, pmingest.PriceUpdate)
            seen.append(update.price)
            if len(seen) == 2:
                asyncio.get_running_loop().call_later(0.1, client.close)
        stop.set()
        await tick_task
        return seen, ticks

    seen, ticks = asyncio.run(main())
    assert seen == [Decimal("0.51"), Decimal("0.52")]
    assert ticks >= 20  # the loop kept running while the pulls waited on worker threads


def test_async_cancellation_keeps_an_already_pulled_event(ws_fake):
    """An event pulled by the worker just as the awaiting task is cancelled is given back."""
    client = connected(ws_fake, {"dump": False})

    async def main():
        events = client.events()
        task = asyncio.ensure_future(events.__anext__())
        await asyncio.sleep(0.1)
        ws_fake.ws_send({"json": last_trade(price="0.57")})
        await asyncio.sleep(0.3)  # the worker has pulled it; now cancel the waiting task
        task.cancel()
        try:
            return await task
        except asyncio.CancelledError:
            return None

    result = asyncio.run(main())
    if result is None:  # cancelled: the event went back to the client
        result = client.receive_event(timeout=1)
    assert result is not None and result.price == Decimal("0.57")


def test_async_context_manager(ws_fake):
    ws_fake.ws_script({"dump": False, "on_subscribe": [{"json": last_trade()}]})

    async def main():
        async with pmingest.WebSocketClient(ws_fake.ws_url) as client:
            await asyncio.get_running_loop().run_in_executor(None, client.connect)
            client.subscribe([TOKEN])
            async for update in client:
                return client, update

    client, update = asyncio.run(main())
    assert update.price == Decimal("0.52") and client.closed


def test_async_cancellation_race_gives_the_pulled_event_back(ws_fake, monkeypatch):
    """Deterministic version of the race: the worker returns an event after the awaiting task
    was cancelled; the event is kept by the client and handed out by the next pull."""
    client = connected(ws_fake, {"dump": False, "on_subscribe": [{"json": last_trade(price="0.58")}]})
    item = client._pull(5, False)  # a real pulled event: (native event, received_at)
    assert item is not None
    cancelled = threading.Event()

    def slow_pull(timeout, want_price, stop=None):
        cancelled.wait(5)
        time.sleep(0.05)
        return item  # ignores `stop`, as a worker inside its last slice would

    monkeypatch.setattr(client, "_pull", slow_pull)

    async def main():
        task = asyncio.ensure_future(client.events().__anext__())
        await asyncio.sleep(0.05)
        task.cancel()
        cancelled.set()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.sleep(0.2)  # the worker finishes; its result goes back to the client

    asyncio.run(main())
    monkeypatch.undo()
    event = client.receive_event(timeout=0)
    assert event is not None and event.price == Decimal("0.58")


def test_unreferenced_clients_are_freed_and_events_outlive_them(ws_fake):
    ws_fake.ws_script({"dump": False, "on_subscribe": [{"json": last_trade(size="75")}]})
    client = pmingest.WebSocketClient(ws_fake.ws_url)
    client.connect()
    client.subscribe([TOKEN])
    event = client.receive_event(timeout=5)
    ref = weakref.ref(client)
    del client
    gc.collect()
    assert ref() is None  # no cycle keeps a client (and its library threads) alive
    assert event.price_update.price == Decimal("0.52")
    assert pmingest.EventProcessor().process(event).size_source == "stream"


# ---------------------------------------------------------------------------------------------
# EventProcessor (G3 back-fill)
# ---------------------------------------------------------------------------------------------


def trade_row(age_seconds, price, size, tx):
    """A Data API /trades row as served: JSON floats, timestamp in seconds."""
    return {
        "proxyWallet": "0x1234567890abcdef1234567890abcdef12345678",
        "side": "BUY",
        "asset": TOKEN,
        "conditionId": CONDITION,
        "size": float(size),
        "price": float(price),
        "timestamp": int(time.time()) - age_seconds,
        "outcome": "Yes",
        "outcomeIndex": 0,
        "transactionHash": tx,
    }


def test_processor_uses_the_stream_size(ws_fake):
    frames = [{"json": last_trade(price="0.52", size="84.17")}, {"json": last_trade(price="0.52", size="12")}]
    client = connected(ws_fake, {"dump": False, "on_subscribe": frames})
    with pmingest.EventProcessor() as processor:
        big = processor.process(client.receive_event(timeout=5))
        small = processor.process(client.receive_event(timeout=5))
        assert big == pmingest.ProcessedEvent(
            True, Decimal("84.17"), "stream", pmingest.PriceUpdate(TOKEN, Decimal("0.52"), T, CONDITION)
        )
        assert (small.passed, small.size, small.size_source) == (False, Decimal("12"), "stream")
        assert processor.stats() == {
            "total_processed": 2, "stream_sized": 2, "g3_backfilled": 0, "size_unknown": 0,
            "filtered": 1, "passed": 1, "errors": 0,
        }
    assert processor.closed
    with pytest.raises(ValueError):
        processor.stats()


def test_processor_backfills_the_size_over_rest(ws_fake):
    """G3: no size on the stream -> the size of a fresh trade near the price, from the same
    fake session's Data API."""
    ws_fake.set_state(
        market_by_token={TOKEN: CONDITION},
        trades=[trade_row(10, "0.52", "120", "0x01"), trade_row(86400 * 60, "0.30", "999", "0x02")],
    )
    frames = [{"json": last_trade(price="0.52", size=None)}, {"json": last_trade(price="0.30", size=None)},
              {"json": level_changes((TOKEN, "BUY", "0.5", "1"))}]
    client = connected(ws_fake, {"dump": False, "on_subscribe": frames})
    rest = ws_fake.client()
    fetcher = pmingest.TradeFetcher(rest)
    processor = pmingest.EventProcessor(fetcher, min_size=Decimal("50"))
    assert processor.min_size == Decimal("50") and processor.fetcher is fetcher
    filled = processor.process(client.receive_event(timeout=5))
    assert (filled.passed, filled.size, filled.size_source) == (True, Decimal("120"), "backfill")
    stale_only = processor.process(client.receive_event(timeout=5))  # only a 60-day-old print (G1)
    assert (stale_only.passed, stale_only.size, stale_only.size_source) == (False, None, "none")
    not_a_trade = processor.process(client.receive_event(timeout=5))
    assert not_a_trade == pmingest.ProcessedEvent(False, None, "none", None)
    assert processor.stats() == {
        "total_processed": 2, "stream_sized": 0, "g3_backfilled": 1, "size_unknown": 1,
        "filtered": 1, "passed": 1, "errors": 0,
    }
    assert len(ws_fake.requests("/data/trades")) >= 2
    # without a fetcher there is no back-fill
    ws_fake.ws_send({"json": last_trade(price="0.52", size=None)})
    event = client.receive_event(timeout=5)
    assert pmingest.EventProcessor().process(event) == pmingest.ProcessedEvent(
        False, None, "none", event.price_update
    )
    # a closed client or fetcher refuses back-fills
    rest.close()
    with pytest.raises(ValueError, match="closed"):
        processor.process(event)
    processor.close()


def test_processor_backfill_failure_fails_closed(ws_fake):
    ws_fake.faults({"path": "/data/trades", "status": 404})
    client = connected(ws_fake, {"dump": False, "on_subscribe": [{"json": last_trade(size=None)}]})
    processor = pmingest.EventProcessor(pmingest.TradeFetcher(ws_fake.client(max_attempts=1)))
    result = processor.process(client.receive_event(timeout=5))
    assert (result.passed, result.size) == (False, None)
    assert processor.stats()["errors"] == 1 and processor.stats()["passed"] == 0


def test_processor_argument_checks(ws_fake):
    client = connected(ws_fake, {"dump": False, "on_subscribe": [{"json": last_trade()}]})
    event = client.receive_event(timeout=5)
    processor = pmingest.EventProcessor(min_size="10")
    with pytest.raises(ValueError, match="no library event"):
        processor.process(dataclasses.replace(event, price=Decimal("0.9")))
    with pytest.raises(TypeError):
        processor.process(event.price_update)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        pmingest.EventProcessor(min_size=50.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        pmingest.EventProcessor(fetcher="nope")  # type: ignore[arg-type]
    with pytest.raises(pmingest.PmParseError):
        pmingest.EventProcessor(min_size="lots")
    client.close()
    assert processor.process(event).passed  # a pulled event outlives its client


def test_processor_concurrent_backfills_overlap(ws_fake):
    """The library holds no lock across the REST call: N back-fills from N threads overlap."""
    ws_fake.set_state(market_by_token={TOKEN: CONDITION}, trades=[trade_row(10, "0.52", "120", "0x01")])
    ws_fake.faults({"path": "/data/trades", "delay_ms": 300})
    frames = [{"json": last_trade(size=None)} for _ in range(4)]
    client = connected(ws_fake, {"dump": False, "on_subscribe": frames})
    events = [client.receive_event(timeout=5) for _ in range(4)]
    processor = pmingest.EventProcessor(pmingest.TradeFetcher(ws_fake.client(rate_limit=False)))
    results = []
    threads = [threading.Thread(target=lambda e=e: results.append(processor.process(e))) for e in events]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.size_source for r in results] == ["backfill"] * 4
    assert processor.stats()["g3_backfilled"] == 4
    # every request reached the server before the first one was answered (each is held 300 ms):
    # all four were in flight at once. Sequential back-fills would arrive >= 300 ms apart.
    arrivals = sorted(entry["t"] for entry in ws_fake.requests("/data/trades"))
    assert len(arrivals) == 4 and arrivals[-1] - arrivals[0] < 0.3


def test_exports():
    for name in ("WebSocketClient", "PriceUpdate", "StreamEvent", "LevelChange", "EventProcessor", "ProcessedEvent"):
        assert name in pmingest.__all__ and getattr(pmingest, name) is not None
    assert stream_module.SLICE_MS <= 250


def test_trade_recorder_batches_stream_trades(ws_fake):
    frames = [{"json": last_trade(size="75")}, {"json": last_trade(size=None)}, {"json": last_trade(price="0.53", size="10")}]
    client = connected(ws_fake, {"dump": False, "on_subscribe": frames})
    events = [client.receive_event(timeout=5) for _ in frames]
    with pmingest.Database(pmingest.DatabaseConfig(path=":memory:")) as db:
        trades = pmingest.TradeRepository(db)
        with pmingest.TradeRecorder(db, batch_size=2, flush_ms=60_000) as recorder:
            recorder.record(events[0])
            recorder.record(events[1])  # no size: skipped, never stored with an invented one
            assert trades.count() == 0  # buffered
            recorder.record(events[2])  # the second trade writes the batch
            assert trades.count() == 2
            assert (recorder.recorded, recorder.skipped) == (2, 1)
            stored = trades.query(TOKEN)
            assert sorted(t.size for t in stored) == [Decimal("10"), Decimal("75")]
        with pytest.raises(ValueError):
            recorder.record(events[0])


def test_queue_is_bounded_by_bytes_with_a_slow_reader(ws_fake):
    """Book snapshots behind a consumer that does not read: the byte bound decides what is held,
    the oldest go first, one gap marker precedes the survivors."""
    client = connected(ws_fake, {"dump": False}, queue_capacity=100_000, queue_max_bytes=65_536)
    bids = [(f"0.{n:02d}", "10") for n in range(10, 30)]
    asks = [(f"0.{n:02d}", "10") for n in range(90, 70, -1)]
    frames = [{"json": book_event(bids, asks, ts=T_MS + n)} for n in range(300)]
    assert ws_fake.ws_send(*frames) == 1
    deadline = time.monotonic() + 5
    while client.stats()["events"] < 300 and time.monotonic() < deadline:
        time.sleep(0.02)
    stats = client.stats()
    assert stats["events"] == 300
    assert 0 < stats["dropped"] < 300
    assert 0 < stats["queued_bytes_peak"] <= 65_536
    events = drain_events(client)
    assert events[0].type == "reconnected" and "queue overflow" in (events[0].detail or "")
    books = [event for event in events[1:] if event.type == "book"]
    assert len(books) == 300 - stats["dropped"] == len(events) - 1
    oldest_kept = T_MS + stats["dropped"]
    assert books[0].timestamp == datetime.fromtimestamp(oldest_kept // 1000, timezone.utc) + timedelta(
        milliseconds=oldest_kept % 1000)
    assert client.stats()["queued_bytes"] == 0
