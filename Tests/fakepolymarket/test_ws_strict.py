"""Self-tests of the fake market channel's strict wire (README §10.6): the real server's
subscription rules, each reproduced, plus the handshake rate limit.

Run: .venv/bin/python -m pytest Tests/fakepolymarket -q     (needs the `websockets` package)
"""

from __future__ import annotations

import json
import os
import re
import select
import subprocess
import sys
import time

import pytest

pytest.importorskip("websockets")
from websockets.exceptions import ConnectionClosed, InvalidStatus  # noqa: E402
from websockets.sync.client import connect  # noqa: E402

from test_ws import A_NO, A_YES, Ctl, Session, op_msg, recv_json, subscribe_msg  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "server.py")


def ids(n, start=1):
    return [str(10**20 + start + i) for i in range(n)]


def start_server(*flags):
    p = subprocess.Popen([sys.executable, SERVER, "--port", "0", *flags], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    r, _, _ = select.select([p.stdout], [], [], 10)
    assert r, "server printed nothing"
    m = re.fullmatch(r"listening http://127\.0\.0\.1:(\d+)\n", p.stdout.readline().decode())
    assert m
    return p, int(m.group(1))


def stop_server(p):
    p.terminate()
    try:
        p.wait(5)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


@pytest.fixture(scope="module")
def strict_port():
    p, port = start_server("--strict-ws")
    yield port
    stop_server(p)


@pytest.fixture
def strict(strict_port):
    return Session(Ctl(strict_port))


def closed_with(ws, timeout=3):
    """The close (code, reason) the server sent, reading and discarding frames until then."""
    deadline = time.monotonic() + timeout
    with pytest.raises(ConnectionClosed) as info:
        while time.monotonic() < deadline:
            ws.recv(timeout=max(0.01, deadline - time.monotonic()))
    rcvd = info.value.rcvd
    return (rcvd.code, rcvd.reason) if rcvd is not None else (None, None)


def violations(sess):
    return [e["body"] for e in sess.log() if e["ws"] == "violation"]


def test_ping_before_the_subscription_closes_1008(strict):
    with connect(strict.url) as ws:
        ws.send("PING")
        assert closed_with(ws) == (1008, "invalid subscription payload")
    assert violations(strict) == ["first frame is not the subscription"]


def test_an_operation_frame_first_is_refused_too(strict):
    with connect(strict.url) as ws:
        ws.send(op_msg("subscribe", [A_YES]))
        assert closed_with(ws) == (1008, "invalid subscription payload")


def test_subscription_first_then_ping_and_operations_are_fine(strict):
    with connect(strict.url) as ws:
        ws.send(subscribe_msg([A_YES]))
        assert [e["asset_id"] for e in recv_json(ws)] == [A_YES]
        ws.send("PING")
        assert ws.recv(timeout=3) == "PONG"
        ws.send(op_msg("subscribe", [A_NO]))
        assert [e["asset_id"] for e in recv_json(ws)] == [A_NO]
        ws.send(op_msg("unsubscribe", [A_YES]))
        ws.send("PING")
        assert ws.recv(timeout=3) == "PONG"
    assert violations(strict) == []


def test_initial_frame_resent_gets_invalid_operation_and_changes_nothing(strict):
    with connect(strict.url) as ws:
        ws.send(subscribe_msg([A_YES]))
        recv_json(ws)
        ws.send(subscribe_msg([A_NO]))
        assert ws.recv(timeout=3) == "INVALID OPERATION"
        ws.send("PING")
        assert ws.recv(timeout=3) == "PONG"   # still open
        assert strict.send([{"json": {"event_type": "last_trade_price", "asset_id": A_NO, "price": "0.5"}},
                            {"json": {"event_type": "last_trade_price", "asset_id": A_YES, "price": "0.6"}}]) == 1
        assert recv_json(ws)["asset_id"] == A_YES   # A_NO never became subscribed
    assert violations(strict) == ["initial subscription re-sent on an open socket"]


def test_duplicate_assets_are_rejected(strict):
    with connect(strict.url) as ws:
        ws.send(subscribe_msg([A_YES]))
        recv_json(ws)
        ws.send(op_msg("subscribe", [A_YES]))
        assert ws.recv(timeout=3) == "INVALID OPERATION"
        ws.send(op_msg("subscribe", [A_NO, A_NO]))
        assert ws.recv(timeout=3) == "INVALID OPERATION"
    with connect(strict.url) as ws:
        ws.send(subscribe_msg([A_NO, A_NO]))
        assert ws.recv(timeout=3) == "INVALID OPERATION"
    assert violations(strict) == ["duplicate asset in a subscription"] * 3


def test_a_frame_with_too_many_assets_closes_the_socket_shortly_after(strict):
    strict.script({"dump": False})
    with connect(strict.url) as ws:
        ws.send(subscribe_msg(ids(100)))
        ws.send(op_msg("subscribe", ids(251, start=1000)))
        sent = time.monotonic()
        ws.send("PING")
        assert ws.recv(timeout=3) == "PONG"   # not at once
        assert closed_with(ws) == (1008, "too many assets in one frame")
        assert 0.1 <= time.monotonic() - sent < 2.0
    assert violations(strict) == ["251 assets in one frame (limit 250)"]


def test_frame_limit_is_scriptable(strict):
    strict.script({"dump": False, "max_assets_per_frame": 3, "frame_limit_close_ms": 0})
    with connect(strict.url) as ws:
        ws.send(subscribe_msg(ids(4)))
        assert closed_with(ws) == (1008, "too many assets in one frame")


def test_more_than_500_assets_on_one_connection_closes_it(strict):
    strict.script({"dump": False})
    with connect(strict.url) as ws:
        ws.send(subscribe_msg(ids(200)))
        ws.send(op_msg("subscribe", ids(200, start=1000)))
        ws.send(op_msg("subscribe", ids(100, start=2000)))   # exactly 500: fine
        ws.send("PING")
        assert ws.recv(timeout=3) == "PONG"
        ws.send(op_msg("unsubscribe", ids(10)))
        ws.send(op_msg("subscribe", ids(10, start=3000)))   # 500 again after the removal
        ws.send("PING")
        assert ws.recv(timeout=3) == "PONG"
        ws.send(op_msg("subscribe", ids(1, start=4000)))    # 501
        assert closed_with(ws) == (1008, "too many assets on one connection")
    assert violations(strict) == ["501 assets on one connection (limit 500)"]


def test_strict_false_in_a_script_turns_the_rules_off(strict):
    strict.script({"strict": False})
    with connect(strict.url) as ws:
        ws.send("PING")
        assert ws.recv(timeout=3) == "PONG"
        ws.send(subscribe_msg([A_YES]))
        recv_json(ws)
        ws.send(subscribe_msg([A_NO]))
        assert [e["asset_id"] for e in recv_json(ws)] == [A_NO]


def test_strict_true_in_a_script_without_the_flag():
    p, port = start_server()
    try:
        sess = Session(Ctl(port))
        with connect(sess.url) as ws:   # not strict by default
            ws.send("PING")
            assert ws.recv(timeout=3) == "PONG"
        sess.script({"strict": True})
        with connect(sess.url) as ws:
            ws.send("PING")
            assert closed_with(ws) == (1008, "invalid subscription payload")
    finally:
        stop_server(p)


def test_handshakes_beyond_the_limit_get_429_until_the_window_passes(strict):
    strict.script({"handshake_limit": {"count": 2, "window_ms": 600}})
    with connect(strict.url), connect(strict.url):
        with pytest.raises(InvalidStatus) as info:
            with connect(strict.url):
                pass
        assert info.value.response.status_code == 429
    time.sleep(0.7)
    with connect(strict.url) as ws:
        ws.send(subscribe_msg([A_YES]))
        recv_json(ws)
    state = strict.ctl.call("GET", f"/_control/sessions/{strict.id}/ws")
    assert state["rate_limited"] == 1
    assert any(e["ws"] == "rate_limited" for e in strict.log())


def test_open_assets_reports_each_connection(strict):
    strict.script({"dump": False})
    with connect(strict.url) as ws:
        ws.send(subscribe_msg(ids(7)))
        ws.send("PING")
        assert ws.recv(timeout=3) == "PONG"
        state = strict.ctl.call("GET", f"/_control/sessions/{strict.id}/ws")
        assert list(state["open_assets"].values()) == [7]


def test_bad_strict_keys_are_400(strict):
    for bad in ({"strict": 1}, {"max_assets_per_frame": 0}, {"handshake_limit": {"count": 1}},
                {"handshake_limit": {"count": 0, "window_ms": 5}}, {"frame_limit_close_ms": -1}):
        strict.script(bad, expect=400)
