"""Self-tests of the fake WebSocket market channel (README §10).

Run: .venv/bin/python -m pytest Tests/fakepolymarket -q     (needs the `websockets` package)
"""

from __future__ import annotations

import base64
import json
import os
import re
import select
import socket
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

pytest.importorskip("websockets")
from websockets.exceptions import ConnectionClosed  # noqa: E402
from websockets.sync.client import connect  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "server.py")

# Market A of the `basic` preset (both tokens have books) and a token without a book.
A_YES = "144025376118479892262749490880200562967355458335621099086839387638815271716888"
A_NO = "112278289787275788450760739773662884649160898737205504916059379809203140215082"
NO_BOOK = "110436092679328050248773699021512577829689879253169394784141881484429816963284"


def subscribe_msg(ids, **extra):
    return json.dumps({"assets_ids": ids, "type": "market", "initial_dump": True, "custom_feature_enabled": True,
                       **extra}, separators=(",", ":"))


def op_msg(op, ids):
    return json.dumps({"assets_ids": ids, "operation": op, "custom_feature_enabled": True}, separators=(",", ":"))


def trade(asset, price="0.52"):
    return {"event_type": "last_trade_price", "market": "0xabc", "asset_id": asset, "price": price,
            "timestamp": "1767225600789"}


# --------------------------------------------------------------------------------------------
# fixtures and helpers
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def port():
    p = subprocess.Popen([sys.executable, SERVER, "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    r, _, _ = select.select([p.stdout], [], [], 10)
    assert r, "server printed nothing"
    m = re.fullmatch(r"listening http://127\.0\.0\.1:(\d+)\n", p.stdout.readline().decode())
    assert m
    yield int(m.group(1))
    if p.poll() is not None:
        print("fake server exited early:", p.returncode, p.stderr.read().decode()[-3000:])
    p.terminate()
    try:
        p.wait(5)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


class Ctl:
    def __init__(self, port):
        self.port = port

    def call(self, method, path, body=None, expect=200):
        data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, method=method)
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                status, raw = resp.status, resp.read()
        except urllib.error.HTTPError as e:
            status, raw = e.code, e.read()
        assert status == expect, (status, raw[:300])
        return json.loads(raw) if raw else None


class Session:
    def __init__(self, ctl: Ctl, preset="basic"):
        self.ctl = ctl
        self.id = ctl.call("POST", "/_control/sessions", {"preset": preset})["id"]
        self.url = f"ws://127.0.0.1:{ctl.port}/s/{self.id}/ws/market"

    def script(self, body, expect=200):
        return self.ctl.call("POST", f"/_control/sessions/{self.id}/ws", body, expect=expect)

    def send(self, frames):
        return self.ctl.call("POST", f"/_control/sessions/{self.id}/ws/send", {"frames": frames})["sent_to"]

    def drop(self, **body):
        return self.ctl.call("POST", f"/_control/sessions/{self.id}/ws/drop", body)["dropped"]

    def log(self):
        return self.ctl.call("GET", f"/_control/sessions/{self.id}/requests?path=/ws/market")

    def texts(self):
        return [e["body"] for e in self.log() if e["ws"] == "text" and e["body"] != "PING"]


@pytest.fixture
def ctl(port):
    return Ctl(port)


@pytest.fixture
def sess(ctl):
    return Session(ctl)


def recv_json(ws, timeout=3):
    return json.loads(ws.recv(timeout=timeout))


def wait_for(pred, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.02)
    return pred()


class RawWS:
    """A minimal client on a plain socket: sees every frame as sent (opcode, fin, payload bytes),
    including the invalid ones a real client library would refuse."""

    def __init__(self, port, path):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            chunk = self.sock.recv(4096)
            assert chunk, "closed during the handshake"
            self.buf += chunk
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        self.status = int(head.split(b" ")[1])

    def send_text(self, text: str):
        payload = text.encode()
        mask = os.urandom(4)
        n = len(payload)
        header = bytes([0x81]) + (bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + struct.pack("!H", n))
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def _need(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError
            self.buf += chunk

    def frame(self):
        self._need(2)
        b0, b1 = self.buf[0], self.buf[1]
        n, off = b1 & 0x7F, 2
        if n == 126:
            self._need(4)
            n, off = struct.unpack("!H", self.buf[2:4])[0], 4
        elif n == 127:
            self._need(10)
            n, off = struct.unpack("!Q", self.buf[2:10])[0], 10
        self._need(off + n)
        payload, self.buf = self.buf[off:off + n], self.buf[off + n:]
        return b0 & 0x0F, bool(b0 & 0x80), payload

    def close(self):
        self.sock.close()


# --------------------------------------------------------------------------------------------
# tests
# --------------------------------------------------------------------------------------------
def test_same_port_rest_still_works_and_plain_get_is_426(ctl, sess):
    assert ctl.call("GET", f"/s/{sess.id}/clob/book?token_id={A_YES}")["asset_id"] == A_YES
    ctl.call("GET", f"/s/{sess.id}/ws/market", expect=426)
    ctl.call("GET", "/s/nosuch/ws/market", expect=426)   # not an upgrade: 426 before the session check


def test_unknown_session_refuses_upgrade(ctl):
    raw = RawWS(ctl.port, "/s/nosuch/ws/market")
    assert raw.status == 404
    raw.close()


def test_subscribe_dump_and_log(sess):
    with connect(sess.url) as ws:
        msg = subscribe_msg([A_YES, NO_BOOK, A_NO])
        ws.send(msg)
        dump = recv_json(ws)
        # An array of book events, in subscription order, only for tokens that have a book.
        assert [e["event_type"] for e in dump] == ["book", "book"]
        assert [e["asset_id"] for e in dump] == [A_YES, A_NO]
        assert float(dump[0]["bids"][0]["price"]) < float(dump[0]["bids"][-1]["price"])   # bids ascending
        ws.send("PING")
        assert ws.recv(timeout=3) == "PONG"
    assert wait_for(lambda: any(e["ws"] == "disconnect" for e in sess.log()))
    log = sess.log()
    assert [e["ws"] for e in log] == ["connect", "text", "text", "close", "disconnect"]
    assert log[0]["index"] == 0 and log[0]["open_before"] == 0
    assert log[0]["headers"]["upgrade"] == "websocket"
    assert log[1]["body"] == msg and log[2]["body"] == "PING"
    assert log[3]["body"] == "1000"
    assert all(e["method"] == "WS" and e["path"] == "/ws/market" for e in log)
    assert [e["seq"] for e in log] == sorted(e["seq"] for e in log)


def test_default_session_channel(ctl):
    with connect(f"ws://127.0.0.1:{ctl.port}/ws/market") as ws:
        ws.send(subscribe_msg([A_YES]))
        assert recv_json(ws)[0]["asset_id"] == A_YES


def test_initial_dump_false_and_dump_off(sess):
    with connect(sess.url) as ws:
        ws.send(subscribe_msg([A_YES], initial_dump=False))
        ws.send("PING")
        assert ws.recv(timeout=3) == "PONG"   # nothing before the PONG
    sess.script({"dump": False})
    with connect(sess.url) as ws:
        ws.send(subscribe_msg([A_YES]))
        ws.send("PING")
        assert ws.recv(timeout=3) == "PONG"


def test_pong_false_keeps_quiet(sess):
    sess.script({"pong": False})
    with connect(sess.url) as ws:
        ws.send("PING")
        with pytest.raises(TimeoutError):
            ws.recv(timeout=0.5)


def test_dynamic_subscribe_unsubscribe_and_subscription_filter(sess):
    with connect(sess.url) as ws:
        ws.send(subscribe_msg([A_YES]))
        recv_json(ws)
        ws.send(op_msg("subscribe", [A_NO]))
        assert [e["asset_id"] for e in recv_json(ws)] == [A_NO]   # dump for the new asset
        ws.send(op_msg("unsubscribe", [A_YES]))
        ws.send("PING")
        assert ws.recv(timeout=3) == "PONG"   # ordering barrier: the unsubscribe was handled
        assert sess.send([{"json": trade(A_YES)}, {"json": trade(A_NO)}, {"json": [trade(A_YES), trade(A_NO)]}]) == 1
        assert recv_json(ws)["asset_id"] == A_NO
        assert [e["asset_id"] for e in recv_json(ws)] == [A_NO]
    assert sess.texts() == [subscribe_msg([A_YES]), op_msg("subscribe", [A_NO]), op_msg("unsubscribe", [A_YES])]


def test_on_subscribe_per_asset_periodic_and_delay(sess):
    sess.script({"dump": False,
                 "on_connect": [{"text": "hello"}],
                 "on_subscribe": [{"json": trade(A_YES, "0.1")}, {"json": trade(A_YES, "0.3"), "delay_ms": 300}],
                 "per_asset": {A_YES: [{"json": trade(A_YES, "0.2")}]},
                 "periodic": [{"every_ms": 100, "start_ms": 50, "frames": [{"json": trade(A_YES, "0.9")}]}]})
    with connect(sess.url) as ws:
        assert ws.recv(timeout=3) == "hello"
        ws.send(subscribe_msg([A_YES]))
        got = [recv_json(ws)["price"] for _ in range(8)]
    # per-asset frames first, then on_subscribe; periodic frames flow once subscribed; the delayed one later.
    assert got[:2] == ["0.2", "0.1"]
    assert "0.9" in got and "0.3" in got
    assert got.index("0.3") > 2


def test_silence_assets_filters_events_and_price_change_entries(sess):
    sess.script({"silence_assets": [A_NO]})
    with connect(sess.url) as ws:
        ws.send(subscribe_msg([A_YES, A_NO]))
        assert [e["asset_id"] for e in recv_json(ws)] == [A_YES]
        pc = {"event_type": "price_change", "market": "0xabc", "timestamp": "1",
              "price_changes": [{"asset_id": A_YES, "price": "0.5", "size": "1", "side": "BUY"},
                                {"asset_id": A_NO, "price": "0.5", "size": "1", "side": "SELL"}]}
        sess.send([{"json": trade(A_NO)}, {"json": pc}, {"text": "raw", "asset": A_NO}, {"text": "raw-yes", "asset": A_YES}])
        got = recv_json(ws)
        assert [c["asset_id"] for c in got["price_changes"]] == [A_YES]
        assert ws.recv(timeout=3) == "raw-yes"
        ws.send("PING")
        assert ws.recv(timeout=3) == "PONG"   # PONGs continue while the asset is silent


def test_bad_frames_are_sent_as_scripted(ctl, sess):
    sess.script({"dump": False, "on_subscribe": [
        {"text": "<<not json>>"}, {"text_hex": "7bff7d"}, {"binary_hex": "0001"}, {"oversize": 100_000},
        {"json": {"k": "v" * 50}, "fragment": 16}]})
    raw = RawWS(ctl.port, f"/s/{sess.id}/ws/market")
    assert raw.status == 101
    raw.send_text(subscribe_msg([A_YES]))
    assert raw.frame() == (1, True, b"<<not json>>")
    assert raw.frame() == (1, True, b"\x7b\xff\x7d")
    assert raw.frame() == (2, True, b"\x00\x01")
    op, fin, payload = raw.frame()
    assert (op, fin) == (1, True) and len(payload) == 100_000 and json.loads(payload)
    pieces = []
    while True:
        op, fin, payload = raw.frame()
        pieces.append((op, payload))
        if fin:
            break
    assert pieces[0][0] == 1 and all(op == 0 for op, _ in pieces[1:]) and len(pieces) > 2
    assert json.loads(b"".join(p for _, p in pieces)) == {"k": "v" * 50}
    raw.close()


def test_drop_after_ms_fin_and_reset(sess):
    sess.script({"scripts": [{"drop_after_ms": 200}, {"drop_after_ms": 200, "drop_mode": "reset"}, {}]})
    for _ in range(2):
        with connect(sess.url) as ws:
            ws.send(subscribe_msg([A_YES]))
            recv_json(ws)
            t = time.monotonic()
            with pytest.raises(ConnectionClosed) as info:
                ws.recv(timeout=5)
            assert time.monotonic() - t < 3
            assert info.value.rcvd is None   # no close frame: abrupt
    with connect(sess.url) as ws:   # third script: a normal connection
        ws.send("PING")
        assert ws.recv(timeout=3) == "PONG"
    log = sess.log()
    assert [e["index"] for e in log if e["ws"] == "connect"] == [0, 1, 2]


def test_drop_only_if_subscribed_picks_the_socket_by_asset(sess):
    """Two connections share one conditional drop: only the one holding the asset is dropped."""
    sess.script({"scripts": [{"drop_after_ms": 300, "drop_only_if_subscribed": A_YES}] * 2 + [{}]})
    with connect(sess.url) as keeps, connect(sess.url) as holder:   # the holder shakes hands second
        keeps.send(subscribe_msg([A_NO]))
        holder.send(subscribe_msg([A_YES]))
        recv_json(keeps)
        recv_json(holder)
        with pytest.raises(ConnectionClosed):
            holder.recv(timeout=5)
        time.sleep(0.3)
        keeps.send("PING")
        assert keeps.recv(timeout=3) == "PONG"   # the other connection outlived its drop time
    with pytest.raises(Exception):
        sess.script({"drop_only_if_subscribed": A_YES})   # needs drop_after_ms


def test_close_code_scripted_and_live(sess):
    sess.script({"drop_after_ms": 100, "close_code": 4001, "close_reason": "bye"})
    with connect(sess.url) as ws:
        with pytest.raises(ConnectionClosed) as info:
            ws.recv(timeout=5)
        assert info.value.rcvd.code == 4001 and info.value.rcvd.reason == "bye"
    sess.script({})
    with connect(sess.url) as ws:
        ws.send("PING")
        assert ws.recv(timeout=3) == "PONG"
        assert sess.drop(close_code=1011) == 1
        with pytest.raises(ConnectionClosed) as info:
            ws.recv(timeout=5)
        assert info.value.rcvd.code == 1011
    assert wait_for(lambda: sess.drop() == 0)


def test_cut_sends_part_of_a_frame_then_drops(ctl, sess):
    payload = {"k": "v" * 300}
    sess.script({"scripts": [{"dump": False, "on_subscribe": [{"json": payload, "cut": 50}]},
                             {"dump": False, "on_subscribe": [{"json": payload, "fragment": 100, "cut": 150}]}, {}]})
    for cut in (50, 150):
        raw = RawWS(ctl.port, f"/s/{sess.id}/ws/market")
        raw.send_text(subscribe_msg([A_YES]))
        got = raw.buf
        raw.sock.settimeout(3)
        while True:                      # exactly `cut` bytes of the frame(s), then FIN
            chunk = raw.sock.recv(65536)
            if not chunk:
                break
            got += chunk
        assert len(got) == cut and got[0] in (0x81, 0x01)   # a text frame's (first fragment's) header
        raw.close()
    with connect(sess.url) as ws:        # the third script: a normal connection
        ws.send("PING")
        assert ws.recv(timeout=3) == "PONG"
    with pytest.raises(AssertionError, match="cut"):
        sess.script({"on_subscribe": [{"text": "x", "cut": 0}]})


def test_drop_after_subscribe_is_a_reconnect_storm(sess):
    sess.script({"scripts": [{"drop_after_subscribe": True}] * 3 + [{}]})
    for _ in range(3):                   # dump, then the connection is gone
        with connect(sess.url) as ws:
            ws.send(subscribe_msg([A_YES]))
            assert recv_json(ws)[0]["asset_id"] == A_YES
            with pytest.raises(ConnectionClosed) as info:
                ws.recv(timeout=5)
            assert info.value.rcvd is None
    sess.script({"drop_after_subscribe": True, "close_code": 4002})
    with connect(sess.url) as ws:        # with a close code: a close frame instead
        ws.send(subscribe_msg([A_YES]))
        recv_json(ws)
        with pytest.raises(ConnectionClosed) as info:
            ws.recv(timeout=5)
        assert info.value.rcvd.code == 4002
    with connect(sess.url) as ws:        # no subscribe, no drop
        ws.send("PING")
        assert ws.recv(timeout=3) == "PONG"
    connects = [e for e in sess.log() if e["ws"] == "connect"]
    assert [c["index"] for c in connects] == [0, 1, 2, 0, 1]


def test_reject_status_and_hang_handshake(ctl, sess):
    sess.script({"scripts": [{"reject_status": 503}, {"hang_handshake": True}, {}]})
    raw = RawWS(ctl.port, f"/s/{sess.id}/ws/market")
    assert raw.status == 503
    raw.close()
    s = socket.create_connection(("127.0.0.1", ctl.port), timeout=5)
    s.sendall((f"GET /s/{sess.id}/ws/market HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    s.settimeout(0.5)
    with pytest.raises(socket.timeout):
        s.recv(100)   # the handshake is never answered
    s.close()
    with connect(sess.url) as ws:
        ws.send("PING")
        assert ws.recv(timeout=3) == "PONG"


def test_open_before_counts_live_connections(sess):
    with connect(sess.url) as first:
        first.send("PING")
        first.recv(timeout=3)
        with connect(sess.url) as second:
            second.send("PING")
            second.recv(timeout=3)
    with connect(sess.url) as third:
        third.send("PING")
        third.recv(timeout=3)
    connects = [e for e in sess.log() if e["ws"] == "connect"]
    assert [c["open_before"] for c in connects] == [0, 1, 0]


def test_peer_open_sees_a_close_behind_unread_bytes():
    """open_before's check: a peer that sent bytes and then closed (FIN) or reset (RST) is closed
    although the bytes are still unread, as when a busy server has not read a client's close-frame
    echo yet. (The earlier MSG_PEEK check saw the bytes and called such a connection open.)"""
    sys.path.insert(0, HERE)
    from fakepolymarket.ws import peer_open

    def wait_closed(sock):
        deadline = time.monotonic() + 5
        while peer_open(sock) and time.monotonic() < deadline:
            time.sleep(0.01)
        return not peer_open(sock)

    with socket.create_server(("127.0.0.1", 0)) as listener:
        for reset in (False, True):
            client = socket.create_connection(listener.getsockname())
            server, _ = listener.accept()
            with server:
                client.sendall(b"\x88\x82" + bytes(6))   # a masked close frame, never read here
                assert select.select([server], [], [], 5)[0]
                assert peer_open(server)
                if reset:
                    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                client.close()
                assert wait_closed(server)
                if not reset:
                    assert server.recv(1, socket.MSG_PEEK) == b"\x88"   # what the old check saw
        closed = socket.create_connection(listener.getsockname())
        closed.close()
        assert not peer_open(closed)   # our own side closed: not open either


def test_control_protocol(ctl, sess):
    base = f"/_control/sessions/{sess.id}/ws"
    assert ctl.call("GET", base) == {"scripts": [{}], "connections": 0, "open": 0}
    for bad in ({"nope": 1}, {"pong": "yes"}, {"on_subscribe": [{"text": 1}]}, {"on_subscribe": [{"a": 1}]},
                {"on_subscribe": [{"text": "x", "json": 1}]}, {"periodic": [{"frames": []}]},
                {"close_code": 1006}, {"drop_mode": "explode"}, {"scripts": []}, {"reject_status": 101},
                {"on_connect": [{"text_hex": "zz"}]}, [1]):
        ctl.call("POST", base, bad, expect=400)
    ctl.call("POST", base, b"{not json", expect=400)
    assert ctl.call("POST", base, {"scripts": [{"pong": False}, {}]}) == {"ok": True, "scripts": 2}
    assert ctl.call("GET", base)["scripts"] == [{"pong": False}, {}]
    ctl.call("POST", base + "/send", {"frames": [{"bogus": 1}]}, expect=400)
    ctl.call("POST", base + "/drop", {"mode": "x"}, expect=400)
    assert ctl.call("POST", base + "/send", {"frames": []}) == {"sent_to": 0}
    ctl.call("GET", base + "/send", expect=405)
    assert ctl.call("DELETE", base) == {"ok": True}
    assert ctl.call("GET", base)["scripts"] == [{}]
    ctl.call("GET", "/_control/sessions/nosuch/ws", expect=404)
    # WS entries share the request log with REST entries (and its path filter).
    ctl.call("GET", f"/s/{sess.id}/clob/book?token_id={A_YES}")
    with connect(sess.url) as ws:
        ws.send("PING")
        ws.recv(timeout=3)
    assert {e["method"] for e in ctl.call("GET", f"/_control/sessions/{sess.id}/requests")} == {"GET", "WS"}
    assert ctl.call("GET", base)["connections"] == 1


def test_server_shutdown_with_open_connections():
    p = subprocess.Popen([sys.executable, SERVER, "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    m = re.fullmatch(r"listening http://127\.0\.0\.1:(\d+)\n", p.stdout.readline().decode())
    own = int(m.group(1))
    with connect(f"ws://127.0.0.1:{own}/ws/market", close_timeout=1) as ws:
        ws.send("PING")
        assert ws.recv(timeout=3) == "PONG"
        t = time.monotonic()
        p.terminate()
        assert p.wait(5) == 0
        assert time.monotonic() - t < 2


def test_flood_shares_one_budget_across_connections_and_drops_every_k(ctl, sess):
    base = f"/_control/sessions/{sess.id}/ws/flood"
    for bad in ({"frames": [], "count": 1}, {"frames": [{"json": 1}]}, {"frames": [{"books": "subscribed"}], "count": 1},
                {"frames": [{"text": "x", "delay_ms": 5}], "count": 1}, {"frames": [{"text": "x"}], "count": -1},
                {"frames": [{"text": "x"}], "count": 1, "drop_every": 0}, {"frames": [{"text": "x"}], "count": 1, "x": 1},
                {"frames": [{"text": "x"}], "count": 1, "drop_mode": "explode"}):
        ctl.call("POST", base, bad, expect=400)
    assert ctl.call("GET", base) == {"flood": None}
    frames = [{"json": trade(A_YES, "0.5")}, {"json": [trade(A_YES, "0.6"), trade(A_NO, "0.7")]}, {"text": "PONG"}]
    assert ctl.call("POST", base, {"frames": frames, "count": 10, "drop_every": 4}) == {"ok": True, "count": 10}
    received, per_connection = [], []
    while len(received) < 10:
        with connect(sess.url) as ws:
            got = []
            ws.send("PING")                       # before subscribing: nothing is flooded
            assert ws.recv(timeout=3) == "PONG"
            ws.send(subscribe_msg([A_YES], initial_dump=False))
            try:
                while True:
                    got.append(ws.recv(timeout=3))
            except ConnectionClosed as closed:
                assert closed.rcvd is None        # "fin": no close frame, every frame delivered first
            except TimeoutError:
                pass                              # the last connection: budget spent, no drop
            per_connection.append(len(got))
            received += got
    assert per_connection == [4, 4, 2]
    # one cycle through the frames across connections, sent verbatim (no subscription filter)
    assert [json.loads(f)["price"] if f.startswith("{") else f for f in received[:1]] == ["0.5"]
    assert [len(json.loads(f)) for f in received[1:2]] == [2]
    assert received[2] == "PONG" and received[3] == received[0] and received[9] == received[0]
    assert ctl.call("GET", base)["flood"] == {"count": 10, "sent": 10, "drops": 2, "done": True}
    assert ctl.call("GET", f"/_control/sessions/{sess.id}/ws")["flood"]["sent"] == 10
    assert ctl.call("DELETE", base) == {"ok": True}
    assert ctl.call("GET", base) == {"flood": None}


def test_flood_pushes_fast_and_keeps_answering_pings(sess):
    n = 20000
    sess.ctl.call("POST", f"/_control/sessions/{sess.id}/ws/flood", {"frames": [{"json": trade(A_YES)}], "count": n})
    with connect(sess.url, max_queue=None) as ws:
        ws.send(subscribe_msg([A_YES], initial_dump=False))
        ws.send("PING")
        frames, pong = 0, False
        while frames < n or not pong:
            message = ws.recv(timeout=5)
            if message == "PONG":
                pong = True
            else:
                frames += 1
        assert frames == n
