"""How one call ends: the call deadline (``deadline_ms``), ``PmNoOrderBook`` for /book's 404,
and resolution events delivered exactly once (``WebSocketClient.watch_resolutions``), against
the fake Polymarket server."""

from __future__ import annotations

import ctypes
import time
from decimal import Decimal

import pytest

import pmingest
from pmingest import _ffi, errors

A_CONDITION = "0x7b2a8faa00b2751622e6f43ddb32fc4112498d94cc835d73b2cf44946a56845c"
A_YES = "144025376118479892262749490880200562967355458335621099086839387638815271716888"
NO_BOOK_TOKEN = "52114319501245915516055106046884209969926127482827954674443846427813813222426"


# ---- deadline_ms ----------------------------------------------------------------------------


def test_client_options_version_3_carries_the_deadline():
    options = _ffi.ClientOptions()
    _ffi.pm_client_options_init(ctypes.byref(options), _ffi.PM_CLIENT_OPTIONS_VERSION)
    assert (_ffi.PM_CLIENT_OPTIONS_VERSION, options.version, options.deadline_ms) == (3, 3, 20000)
    with pytest.raises(pmingest.PmInvalidArgument):
        pmingest.PolymarketClient(deadline_ms=-1)
    pmingest.PolymarketClient(deadline_ms=0).close()  # 0 = no deadline


def test_a_hung_server_ends_the_call_at_the_deadline(fake):
    fake.seed("basic")
    fake.faults({"path": "/clob/book", "hang": True})
    client = fake.client(deadline_ms=1500, max_attempts=4, total_timeout_ms=5000)
    start = time.monotonic()
    with pytest.raises(pmingest.PmTimeoutError) as caught:
        client.fetch_orderbook(A_YES)
    elapsed = time.monotonic() - start
    message = caught.value.message
    assert "deadline of 1500 ms" in message and "1 attempt made" in message and "timed out" in message
    assert 1.3 <= elapsed < 1.5 + 5


def test_verify_fails_closed_at_the_deadline(fake):
    fake.seed("basic")
    fake.faults({"path": "/clob/book", "hang": True})
    client = fake.client(deadline_ms=1200)
    start = time.monotonic()
    answer = pmingest.verify_orderbook_price(client, A_YES, Decimal("0.5"))
    elapsed = time.monotonic() - start
    assert not answer.is_valid and "deadline of 1200 ms" in answer.reason
    assert 1.0 <= elapsed < 1.2 + 5


def test_the_size_back_fill_ends_at_the_deadline(fake):
    fake.seed("basic")
    fake.set_state(market_by_token={A_YES: A_CONDITION})
    fake.faults({"path": "/data/trades", "hang": True})
    client = fake.client(deadline_ms=1200)
    fetcher = pmingest.TradeFetcher(client)
    start = time.monotonic()
    with pytest.raises(pmingest.PmTimeoutError, match="deadline of 1200 ms"):
        fetcher.fetch_trade_size_at_price(A_YES, Decimal("0.5"))
    assert 1.0 <= time.monotonic() - start < 1.2 + 5


# ---- PmNoOrderBook --------------------------------------------------------------------------


def test_no_order_book_is_its_own_error_and_not_retried(fake):
    fake.seed("basic")
    fake.set_state(books={})
    client = fake.client(max_attempts=4)
    with pytest.raises(pmingest.PmNoOrderBook) as caught:
        client.fetch_orderbook(NO_BOOK_TOKEN)
    assert caught.value.status == _ffi.PM_E_NO_BOOK == 18
    assert f"no order book: market resolved or unknown (token {NO_BOOK_TOKEN})" in caught.value.message
    assert isinstance(caught.value, pmingest.PmBookInvalid)  # old handlers still catch it
    assert len(fake.requests("/clob/book")) == 1
    assert errors.exception_class(18) is pmingest.PmNoOrderBook
    assert caught.value.status_name == "no order book"


def test_verify_fails_closed_on_no_order_book(fake):
    fake.seed("basic")
    fake.set_state(books={})
    answer = pmingest.verify_orderbook_price(fake.client(), NO_BOOK_TOKEN, Decimal("0.5"))
    assert not answer.is_valid and answer.actual_best_bid is None
    assert "no order book: market resolved or unknown" in answer.reason


# ---- watch_resolutions ----------------------------------------------------------------------

A_NO = "112278289787275788450760739773662884649160898737205504916059379809203140215082"
RESOLVED_A = {
    "id": "501", "conditionId": A_CONDITION, "question": "Will A happen?", "slug": "a",
    "active": True, "closed": True, "archived": False, "outcomes": '["Yes", "No"]',
    "outcomePrices": '["1", "0"]', "clobTokenIds": f'["{A_YES}", "{A_NO}"]',
}
RESOLVED_FRAME = {"json": {
    "event_type": "market_resolved", "id": "501", "market": A_CONDITION, "assets_ids": [A_YES, A_NO],
    "winning_asset_id": A_YES, "winning_outcome": "Yes", "timestamp": "1767225600789",
}}


def _resolutions(stream, seconds, stop_at_first=False):
    found = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        event = stream.receive_event(timeout=0.05)
        if event is not None and event.type == "market_resolved":
            found.append(event)
            if stop_at_first:
                break
    return found


def test_socket_and_poll_deliver_one_resolution(ws_fake):
    ws_fake.seed("basic")
    ws_fake.set_state(markets=[RESOLVED_A])
    client = ws_fake.client(max_attempts=1)
    stream = ws_fake.stream()
    stream.subscribe([A_YES])
    stream.connect()
    deadline = time.monotonic() + 5
    while ws_fake.ws_send(RESOLVED_FRAME) != 1:  # until the socket is registered
        assert time.monotonic() < deadline
        time.sleep(0.02)
    first = _resolutions(stream, 5, stop_at_first=True)
    assert [(e.condition_id, e.detail) for e in first] == [(A_CONDITION, A_YES)]
    stream.watch_resolutions(client, interval_s=0.2)
    assert _resolutions(stream, 1.0) == []
    assert len(ws_fake.requests("/clob/markets-by-token/*")) >= 1  # the poll ran
    ws_fake.ws_send(RESOLVED_FRAME)
    assert _resolutions(stream, 0.6) == []


def test_the_poll_delivers_what_the_socket_never_sent(ws_fake):
    ws_fake.seed("basic")
    client = ws_fake.client(max_attempts=1)
    stream = ws_fake.stream()
    stream.subscribe([A_YES, A_NO])
    stream.watch_resolutions(client, interval_s=0.2)  # before connect
    stream.connect()
    assert _resolutions(stream, 0.5) == []  # the market is still open
    ws_fake.set_state(markets=[RESOLVED_A])
    found = _resolutions(stream, 5, stop_at_first=True)
    assert [(e.condition_id, e.detail) for e in found] == [(A_CONDITION, A_YES)]
    assert _resolutions(stream, 0.6) == []
    stream.watch_resolutions(None, interval_s=0)  # off


def test_watch_resolutions_arguments(ws_fake):
    stream = ws_fake.stream()
    client = ws_fake.client()
    with pytest.raises(pmingest.PmInvalidArgument):
        stream.watch_resolutions(client, interval_s=0.05)
    with pytest.raises(pmingest.PmInvalidArgument):
        stream.watch_resolutions(client, interval_s=-1)
    with pytest.raises(TypeError):
        stream.watch_resolutions(client, interval_s="60")
    with pytest.raises(TypeError):
        stream.watch_resolutions(None, interval_s=60)
    stream.watch_resolutions(client)  # 60 s
    stream.close()
    with pytest.raises((pmingest.PmMisuse, ValueError)):
        stream.watch_resolutions(client, interval_s=1)
