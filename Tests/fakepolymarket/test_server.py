"""Self-tests of the fake Polymarket server (pytest; standard library clients only).

Run: python3 -m pytest Tests/fakepolymarket -q
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import json
import math
import os
import re
import select
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from email.utils import parsedate_to_datetime

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "server.py")
COND_RE = re.compile(r"0x[0-9a-f]{64}\Z")
TOKEN_RE = re.compile(r"[1-9][0-9]{77}\Z")
DEC_RE = re.compile(r"(0|[1-9][0-9]*)(\.[0-9]+)?\Z")


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------
# The legacy /trades caps before 2025-08 (a silent clamp at 10000): the default is now the real
# 500 / 1000 with a 400 beyond (test_data_trades_2025_caps).
LEGACY_TRADES_CAPS = {"trades_limit_max": 10000, "trades_offset_max": 10000, "trades_limit_clamp": True}

def start_server(*extra, timeout=10.0):
    p = subprocess.Popen([sys.executable, SERVER, "--port", "0", *extra],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    r, _, _ = select.select([p.stdout], [], [], timeout)
    assert r, "server printed nothing"
    line = p.stdout.readline().decode()
    m = re.fullmatch(r"listening http://127\.0\.0\.1:(\d+)\n", line)
    assert m, f"bad first line {line!r}"
    return p, int(m.group(1))


def stop_server(p):
    if p.poll() is None:
        p.terminate()
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


class Client:
    def __init__(self, port: int):
        self.port = port

    def request(self, method, path, body=None, headers=None, timeout=5.0):
        """(status, {lowercase header: value}, raw body bytes) — one fresh connection per call."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            data = None
            hdrs = dict(headers or {})
            if body is not None:
                data = body if isinstance(body, (bytes, str)) else json.dumps(body)
                hdrs.setdefault("Content-Type", "application/json")
            conn.request(method, path, body=data, headers=hdrs)
            resp = conn.getresponse()
            raw = resp.read()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, raw
        finally:
            conn.close()

    def json(self, method, path, body=None, expect=200, **kw):
        status, hdrs, raw = self.request(method, path, body, **kw)
        assert status == expect, (status, raw[:500])
        return json.loads(raw)


class Session:
    def __init__(self, client: Client, sid: str):
        self.c = client
        self.id = sid
        self.base = f"/s/{sid}"

    def control(self, method, sub="", body=None, expect=200):
        return self.c.json(method, f"/_control/sessions/{self.id}{sub}", body, expect=expect)

    def state(self, **data):
        return self.control("POST", "/state", data)

    def seed(self, **body):
        return self.control("POST", "/seed", body or {"preset": "basic"})

    def faults(self, *rules):
        return self.control("POST", "/faults", {"rules": list(rules)})

    def requests(self, path=None):
        q = f"?path={path}" if path else ""
        return self.c.json("GET", f"/_control/sessions/{self.id}/requests{q}")

    def get(self, path, **kw):
        return self.c.request("GET", self.base + path, **kw)

    def get_json(self, path, expect=200, **kw):
        return self.c.json("GET", self.base + path, expect=expect, **kw)


@pytest.fixture(scope="module")
def server():
    p, port = start_server()
    yield port
    stop_server(p)
    assert p.stdout.read() == b"", "stdout must hold exactly one line"


@pytest.fixture
def client(server):
    return Client(server)


@pytest.fixture
def sess(client):
    sid = client.json("POST", "/_control/sessions")["id"]
    s = Session(client, sid)
    yield s
    client.request("DELETE", f"/_control/sessions/{sid}")


@pytest.fixture
def seeded(sess):
    sess.summary = sess.seed(preset="basic", now=1767225600)
    return sess


def mk_market(i, cid=None, toks=None, **over):
    cid = cid or "0x" + hashlib.sha256(f"c{i}".encode()).hexdigest()
    toks = toks or [str(10 ** 77 + 2 * i), str(10 ** 77 + 2 * i + 1)]
    m = {"id": str(i), "conditionId": cid, "question": f"Q{i}?", "slug": f"q-{i}", "active": True,
         "closed": False, "outcomes": "[\"Yes\", \"No\"]", "outcomePrices": "[\"0.5\", \"0.5\"]",
         "clobTokenIds": json.dumps(toks), "orderPriceMinTickSize": 0.01, "orderMinSize": 5,
         "negRisk": False, "endDate": "2026-12-31T12:00:00Z", "volume": "1.5"}
    m.update(over)
    return m


def mk_trade(i, cid="0x" + "a" * 64, ts=1767225600, **over):
    t = {"proxyWallet": "0x" + "1" * 40, "side": "BUY", "asset": str(10 ** 77 + i), "conditionId": cid,
         "size": 10.0, "price": 0.5, "timestamp": ts, "outcome": "Yes", "outcomeIndex": 0,
         "transactionHash": "0x" + f"{i:064x}"}
    t.update(over)
    return t


# --------------------------------------------------------------------------------------------
# process
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("host", ["0.0.0.0", "10.1.2.3", "example.com", "::"])
def test_refuses_non_loopback_host(host):
    r = subprocess.run([sys.executable, SERVER, "--port", "0", "--host", host],
                       capture_output=True, timeout=10)
    assert r.returncode == 2
    assert r.stdout == b""
    assert b"non-loopback" in r.stderr


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_exits_promptly(sig):
    p, port = start_server()
    try:
        Client(port).json("GET", "/_control/health")
        t0 = time.monotonic()
        p.send_signal(sig)
        assert p.wait(3) == 0
        assert time.monotonic() - t0 < 2.0
    finally:
        stop_server(p)


def test_sigterm_works_even_if_inherited_blocked():
    def block():
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})

    p = subprocess.Popen([sys.executable, SERVER, "--port", "0"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, preexec_fn=block)
    try:
        assert select.select([p.stdout], [], [], 10)[0]
        assert p.stdout.readline().startswith(b"listening ")
        with open(f"/proc/{p.pid}/status") as f:
            blocked = int(next(l for l in f if l.startswith("SigBlk:")).split()[1], 16)
        assert not blocked & (1 << (signal.SIGTERM - 1))
        p.send_signal(signal.SIGTERM)
        assert p.wait(3) == 0
    finally:
        stop_server(p)


def test_control_shutdown():
    p, port = start_server()
    try:
        assert Client(port).json("POST", "/_control/shutdown") == {"ok": True}
        assert p.wait(3) == 0
    finally:
        stop_server(p)


def test_exit_with_parent():
    # An intermediate process starts the server and exits; the orphaned server must follow.
    code = (
        "import subprocess, sys\n"
        f"p = subprocess.Popen([sys.executable, {SERVER!r}, '--port', '0', '--exit-with-parent'],"
        " stdout=subprocess.PIPE)\n"
        "line = p.stdout.readline().decode()\n"
        "print(p.pid, line.strip(), flush=True)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=10, text=True).stdout
    pid_s, line = out.split(" ", 1)
    pid = int(pid_s)
    assert line.startswith("listening http://127.0.0.1:")

    def alive():
        try:
            with open(f"/proc/{pid}/stat") as f:
                return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
        except FileNotFoundError:
            return False

    deadline = time.monotonic() + 4
    while alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    if alive():
        os.kill(pid, signal.SIGKILL)
        pytest.fail("server outlived its parent")


def test_hang_does_not_block_shutdown():
    p, port = start_server()
    try:
        c = Client(port)
        sid = c.json("POST", "/_control/sessions")["id"]
        c.json("POST", f"/_control/sessions/{sid}/faults", {"rules": [{"path": "/clob/book", "hang": True}]})
        # a request left hanging on an open connection while the server is told to stop
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", f"/s/{sid}/clob/book?token_id=1")
        time.sleep(0.2)
        t0 = time.monotonic()
        p.send_signal(signal.SIGTERM)
        assert p.wait(3) == 0
        assert time.monotonic() - t0 < 2.0
        with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
            conn.getresponse()
        conn.close()
    finally:
        stop_server(p)


def test_health_and_unknown_paths(client):
    assert client.json("GET", "/_control/health")["ok"] is True
    for path in ("/nope", "/s/nosuchsession/gamma/markets", "/_control/nope", "/s/default/other/x"):
        status, hdrs, raw = client.request("GET", path)
        assert status == 404, path
        assert hdrs["content-type"] == "application/json"
        assert "error" in json.loads(raw)


# --------------------------------------------------------------------------------------------
# sessions and state
# --------------------------------------------------------------------------------------------
def test_sessions_are_isolated(client):
    a = Session(client, client.json("POST", "/_control/sessions")["id"])
    b = Session(client, client.json("POST", "/_control/sessions")["id"])
    assert a.id != b.id and re.fullmatch(r"[0-9a-f]{8}", a.id)
    a.state(markets=[mk_market(1)], books={"5": {"asset_id": "5", "bids": [], "asks": []}})
    a.faults({"path": "/data/trades", "status": 500})
    assert len(a.get_json("/gamma/markets")) == 1
    assert b.get_json("/gamma/markets") == []
    assert b.get("/clob/book?token_id=5")[0] == 404
    assert b.get("/data/trades")[0] == 200
    assert a.get("/data/trades")[0] == 500
    assert [r["path"] for r in a.requests()] == ["/gamma/markets", "/data/trades"]
    assert [r["path"] for r in b.requests()] == ["/gamma/markets", "/clob/book", "/data/trades"]
    a.control("DELETE")
    assert a.get("/gamma/markets")[0] == 404
    b.control("DELETE")


def test_create_session_with_id_and_preset(client):
    out = client.json("POST", "/_control/sessions", {"id": "my-test_1", "preset": "basic", "now": 1767225600})
    assert out["id"] == "my-test_1" and out["seed"]["counts"]["markets"] == 5
    status, _, raw = client.request("POST", "/_control/sessions", {"id": "my-test_1"})
    assert status == 400
    assert client.json("GET", "/_control/sessions/my-test_1")["counts"]["books"] == 8
    assert "my-test_1" in client.json("GET", "/_control/sessions")["sessions"]
    client.json("DELETE", "/_control/sessions/my-test_1")


def test_default_session_is_seeded(client):
    direct = client.json("GET", "/gamma/markets")
    via = client.json("GET", "/s/default/gamma/markets")
    assert len(direct) >= 3 and [m["id"] for m in direct] == [m["id"] for m in via]


def test_state_merge_semantics(sess):
    sess.state(markets=[mk_market(1), mk_market(2)], trades=[mk_trade(1)])
    out = sess.state(trades=[mk_trade(2), mk_trade(3)])
    assert out["counts"]["markets"] == 2 and out["counts"]["trades"] == 2  # replaced, not appended
    assert len(sess.get_json("/gamma/markets")) == 2
    sess.state(markets=[mk_market(3)])
    assert [m["id"] for m in sess.get_json("/gamma/markets")] == ["3"]
    dump = sess.control("GET", "/state")
    assert len(dump["trades"]) == 2 and dump["config"]["gzip"] is True
    out = sess.control("POST", "/append", {"trades": [mk_trade(4)], "markets": [mk_market(4)],
                                           "books": {"9": None}})
    assert out["counts"] == {"markets": 2, "books": 1, "trades": 3, "market_by_token": 0, "clob_markets": 0, "events": 0}


def test_control_validation(sess):
    for sub, body in [("/state", {"marketz": []}), ("/state", {"markets": {}}), ("/state", {"books": []}),
                      ("/faults", {"rules": [{"path": "/x", "statuz": 500}]}), ("/faults", [{"path": "/x"}]),
                      ("/faults", {"rules": [{"path": "clob/book"}]}), ("/config", {"gzipp": False}),
                      ("/seed", {"preset": "nope"})]:
        out = sess.control("POST", sub, body, expect=400)
        assert "error" in out
    status, _, raw = sess.c.request("POST", f"/_control/sessions/{sess.id}/state", body=b"{not json")
    assert status == 400


# --------------------------------------------------------------------------------------------
# seed preset
# --------------------------------------------------------------------------------------------
def test_seed_basic_is_realistic(seeded):
    now = 1767225600
    markets = seeded.get_json("/gamma/markets")
    assert len(markets) >= 3
    ticks = set()
    for m in markets:
        assert COND_RE.match(m["conditionId"])
        for k in ("clobTokenIds", "outcomes", "outcomePrices"):
            assert isinstance(m[k], str)  # JSON-in-string
        toks = json.loads(m["clobTokenIds"])
        assert len(toks) == 2 and all(TOKEN_RE.match(t) for t in toks)
        assert json.loads(m["outcomes"]) == ["Yes", "No"]
        assert all(DEC_RE.match(p) for p in json.loads(m["outcomePrices"]))
        assert isinstance(m["orderPriceMinTickSize"], float) and isinstance(m["orderMinSize"], int)
        assert isinstance(m["negRisk"], bool) and isinstance(m["volume"], str)
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", m["endDate"])
        ticks.add(m["orderPriceMinTickSize"])
    assert {0.01, 0.001, 0.005} <= ticks
    assert any(m["closed"] for m in markets) and any(not m["closed"] for m in markets)
    assert any(m["negRisk"] for m in markets)

    summary = seeded.summary
    assert summary["now"] == now and summary["counts"]["markets"] == len(markets)
    closed = next(s for s in summary["markets"] if s["closed"])
    assert seeded.get(f"/clob/book?token_id={closed['clobTokenIds'][0]}")[0] == 404

    seeded.state(config=LEGACY_TRADES_CAPS)   # everything on one page
    trades = seeded.get_json("/data/trades?limit=10000&takerOnly=false")
    assert all(isinstance(t["timestamp"], int) and t["timestamp"] <= now for t in trades)
    assert any(now - t["timestamp"] >= 60 * 86400 for t in trades)
    assert any(now - t["timestamp"] < 3600 for t in trades)
    assert all(isinstance(t["price"], float) and isinstance(t["size"], float) for t in trades)
    assert all(not any(k.startswith("_") for k in t) for t in trades)


def test_seed_now_defaults_to_wall_clock(sess):
    out = sess.seed(preset="basic")
    assert abs(out["now"] - time.time()) < 5
    newest = sess.get_json("/data/trades?limit=1")[0]
    assert 0 <= time.time() - newest["timestamp"] < 3600


# --------------------------------------------------------------------------------------------
# Gamma
# --------------------------------------------------------------------------------------------
def test_gamma_limit_clamp_and_offset(sess):
    sess.state(markets=[mk_market(i) for i in range(600)])
    assert len(sess.get_json("/gamma/markets?limit=1000")) == 500       # silent clamp
    assert len(sess.get_json("/gamma/markets")) == 500                  # default = clamp
    page = sess.get_json("/gamma/markets?limit=7&offset=595")
    assert [m["id"] for m in page] == ["595", "596", "597", "598", "599"]
    assert sess.get_json("/gamma/markets?limit=5&offset=1000") == []
    assert sess.get("/gamma/markets?limit=abc")[0] == 400
    sess.control("POST", "/config", {"gamma_limit_max": 20})
    assert len(sess.get_json("/gamma/markets?limit=100")) == 20


def test_gamma_endless_listing_never_ends_and_never_repeats(sess):
    sess.state(markets=[mk_market(1)])
    sess.control("POST", "/config", {"gamma_endless": True, "gamma_limit_max": 3})
    seen = set()
    for offset in (0, 3, 3, 0, 999999):          # a repeated or absurd offset still gets new markets
        page = sess.get_json(f"/gamma/markets?active=true&closed=false&limit=10&offset={offset}")
        assert len(page) == 3                     # clamped, never empty
        for m in page:
            assert m["active"] is True and m["closed"] is False
            assert m["conditionId"].startswith("0x") and len(m["conditionId"]) == 66
            assert all(t.isdigit() for t in json.loads(m["clobTokenIds"]))
            assert m["conditionId"] not in seen
            seen.add(m["conditionId"])
    assert len(seen) == 15
    # lookups by condition id still answer from the stored markets
    assert [m["id"] for m in sess.get_json("/gamma/markets?condition_ids=" + mk_market(1)["conditionId"])] == ["1"]
    assert sess.get("/gamma/markets?limit=abc")[0] == 400
    sess.control("POST", "/config", {"gamma_endless": False})
    assert [m["id"] for m in sess.get_json("/gamma/markets")] == ["1"]
    assert "error" in sess.control("POST", "/config", {"gamma_endless": 1}, expect=400)


def test_gamma_filters(sess):
    ms = [mk_market(1), mk_market(2, closed=True), mk_market(3, active=False), mk_market(4)]
    sess.state(markets=ms)
    ids = lambda q: [m["id"] for m in sess.get_json("/gamma/markets" + q)]  # noqa: E731
    assert ids("?active=true") == ["1", "2", "4"]
    assert ids("?closed=false") == ["1", "3", "4"]
    assert ids("?active=true&closed=false") == ["1", "4"]
    c1, c4 = ms[0]["conditionId"], ms[3]["conditionId"]
    assert ids(f"?condition_ids={c4},{c1}") == ["1", "4"]
    assert ids(f"?condition_ids={c1}&condition_ids={c4}") == ["1", "4"]
    too_many = ",".join("0x" + f"{i:064x}" for i in range(101))
    status, _, raw = sess.get(f"/gamma/markets?condition_ids={too_many}")
    assert status == 422 and "condition_ids" in json.loads(raw)["error"]
    assert len(sess.get_json("/gamma/markets?condition_ids=" + ",".join([c1] * 100))) == 1
    t1 = json.loads(ms[0]["clobTokenIds"])[1]
    t4 = json.loads(ms[3]["clobTokenIds"])[0]
    assert ids(f"?clob_token_ids={t1}&clob_token_ids={t4}") == ["1", "4"]
    assert ids(f"?clob_token_ids={t1},{t4}") == []   # comma-joined: the real API's quirk
    assert sess.get_json("/gamma/markets/4")["id"] == "4"
    assert sess.get("/gamma/markets/999")[0] == 404


# --------------------------------------------------------------------------------------------
# CLOB
# --------------------------------------------------------------------------------------------
def py1_hash(book):
    d = {k: book.get(k) for k in ("market", "asset_id", "timestamp", "hash", "bids", "asks",
                                  "min_order_size", "tick_size", "neg_risk", "last_trade_price")}
    d["hash"] = ""
    return hashlib.sha1(json.dumps(d, separators=(",", ":")).encode()).hexdigest()


def test_clob_book_shape_and_ordering(seeded):
    for m in seeded.summary["markets"]:
        if not m["has_book"]:
            continue
        for tok in m["clobTokenIds"]:
            status, hdrs, raw = seeded.get(f"/clob/book?token_id={tok}")
            assert status == 200 and hdrs["content-type"] == "application/json"
            b = json.loads(raw)
            assert b["market"] == m["conditionId"] and b["asset_id"] == tok
            assert re.fullmatch(r"\d{13}", b["timestamp"])
            assert re.fullmatch(r"[a-f0-9]{40}", b["hash"]) and b["hash"] == py1_hash(b)
            assert b["tick_size"] == m["tick"] and b["min_order_size"] == "5"
            assert b["neg_risk"] is m["negRisk"] and DEC_RE.match(b["last_trade_price"])
            for lvl in b["bids"] + b["asks"]:
                assert DEC_RE.match(lvl["price"]) and DEC_RE.match(lvl["size"])
            bids = [float(x["price"]) for x in b["bids"]]
            asks = [float(x["price"]) for x in b["asks"]]
            assert bids == sorted(bids) and asks == sorted(asks, reverse=True)   # best LAST
            assert bids[-1] < asks[-1]
            assert bids[0] <= 0.01 and asks[0] >= 0.99                          # far levels first


def test_clob_book_unknown_missing_and_null(sess):
    sess.state(books={"77": None})
    status, hdrs, raw = sess.get("/clob/book?token_id=12345")
    assert status == 404 and json.loads(raw) == {"error": "No orderbook exists for the requested token id"}
    assert sess.get("/clob/book")[0] == 400
    status, hdrs, raw = sess.get("/clob/book?token_id=77")
    assert status == 200 and raw == b"null" and hdrs["content-length"] == "4"


def test_clob_book_is_served_as_stored_even_for_another_asset(sess):
    """A stored book whose asset_id is not the key it is stored under is served as is (GET /book
    and POST /books): the client must notice that it got another token's book."""
    other = {"asset_id": "22", "market": "0xc", "bids": [{"price": "0.5", "size": "1"}], "asks": []}
    sess.state(books={"11": other})
    assert sess.get_json("/clob/book?token_id=11") == other
    status, _, raw = sess.c.request("POST", sess.base + "/clob/books", [{"token_id": "11"}])
    assert status == 200 and json.loads(raw) == [other]


def test_clob_books_post(seeded):
    toks = [t for m in seeded.summary["markets"] if m["has_book"] for t in m["clobTokenIds"]]
    req = [{"token_id": toks[3]}, {"token_id": "999"}, {"token_id": toks[0]}]
    status, _, raw = seeded.c.request("POST", seeded.base + "/clob/books", req)
    assert status == 200
    out = json.loads(raw)
    assert [b["asset_id"] for b in out] == [toks[3], toks[0]]
    status, _, raw = seeded.c.request("POST", seeded.base + "/clob/books", b"{bad")
    assert status == 400
    assert seeded.get("/clob/books")[0] == 404   # GET is not a route


def test_clob_markets_by_token(seeded):
    m = seeded.summary["markets"][0]
    for tok in m["clobTokenIds"]:
        out = seeded.get_json(f"/clob/markets-by-token/{tok}")
        assert out == {"condition_id": m["conditionId"], "primary_token_id": m["clobTokenIds"][0],
                       "secondary_token_id": m["clobTokenIds"][1]}
    assert seeded.get("/clob/markets-by-token/123")[0] == 404
    # explicit mapping for a token no market lists
    seeded.control("POST", "/append", {"market_by_token": {"555": "0x" + "b" * 64}})
    out = seeded.get_json("/clob/markets-by-token/555")
    assert out["condition_id"] == "0x" + "b" * 64 and out["primary_token_id"] == "555"


def test_clob_market_object(seeded):
    open_m = seeded.summary["markets"][0]
    cm = seeded.get_json(f"/clob/markets/{open_m['conditionId']}")
    assert cm["condition_id"] == open_m["conditionId"]
    assert cm["minimum_tick_size"] == 0.01 and cm["minimum_order_size"] == 5
    assert cm["neg_risk"] is False and cm["accepting_orders"] is True
    assert [t["token_id"] for t in cm["tokens"]] == open_m["clobTokenIds"]
    assert cm["tokens"][0] == {"token_id": open_m["clobTokenIds"][0], "outcome": "Yes", "price": 0.515,
                               "winner": False}
    for k in ("question_id", "question", "market_slug", "end_date_iso", "maker_base_fee", "rewards", "tags"):
        assert k in cm
    closed = next(m for m in seeded.summary["markets"] if m["closed"])
    cm = seeded.get_json(f"/clob/markets/{closed['conditionId']}")
    assert cm["closed"] is True and [t["winner"] for t in cm["tokens"]] == [True, False]
    neg = next(m for m in seeded.summary["markets"] if m["negRisk"])
    assert seeded.get_json(f"/clob/markets/{neg['conditionId']}")["minimum_tick_size"] == 0.001
    assert seeded.get("/clob/markets/0x" + "0" * 64)[0] == 404


# --------------------------------------------------------------------------------------------
# Data API
# --------------------------------------------------------------------------------------------
def test_data_trades_verbatim_numbers_and_order(sess):
    cid = "0x" + "c" * 64
    body = ('{"trades":['
            '{"conditionId":"%s","price":0.30000000000000004,"size":50.0,"timestamp":1767225500},'
            '{"conditionId":"%s","price":1e-7,"size":12.3400,"timestamp":1767225700},'
            '{"conditionId":"%s","price":0.5,"size":1,"timestamp":1767225600}]}') % (cid, cid, cid)
    status, _, raw = sess.c.request("POST", f"/_control/sessions/{sess.id}/state", body=body)
    assert status == 200
    status, _, raw = sess.get(f"/data/trades?market={cid}")
    assert status == 200
    text = raw.decode()
    assert '"price":0.30000000000000004' in text and '"size":50.0' in text
    assert '"price":1e-7' in text and '"size":12.3400' in text
    assert [t["timestamp"] for t in json.loads(raw)] == [1767225700, 1767225600, 1767225500]


def test_data_trades_filters_and_paging(sess):
    sess.state(config=LEGACY_TRADES_CAPS)
    a, b, c = ("0x" + ch * 64 for ch in "abc")
    trades = [mk_trade(i, cid=(a, b, c)[i % 3], ts=1767225600 - i) for i in range(300)]
    trades.append(mk_trade(999, cid=a, ts=1767225600 + 5, _maker=True))
    sess.state(trades=trades)
    assert len(sess.get_json("/data/trades")) == 100                 # default limit
    rows = sess.get_json(f"/data/trades?market={a},{b}&limit=1000")
    assert len(rows) == 200 and {r["conditionId"] for r in rows} == {a, b}
    assert [r["timestamp"] for r in rows] == sorted((r["timestamp"] for r in rows), reverse=True)
    with_maker = sess.get_json(f"/data/trades?market={a}&takerOnly=false&limit=1")
    assert with_maker[0]["asset"] == str(10 ** 77 + 999) and "_maker" not in with_maker[0]
    assert sess.get_json(f"/data/trades?market={a}&takerOnly=true&limit=1")[0]["asset"] != str(10 ** 77 + 999)
    page = sess.get_json(f"/data/trades?market={c}&limit=3&offset=2")
    assert [r["timestamp"] for r in page] == [1767225600 - 8, 1767225600 - 11, 1767225600 - 14]
    assert sess.get("/data/trades?offset=10001")[0] == 400
    assert sess.get("/data/trades?limit=-1")[0] == 400


def test_data_trades_limit_max(sess):
    sess.state(config=LEGACY_TRADES_CAPS)
    sess.state(trades=[{"conditionId": "0x1", "price": 0.5, "size": 1.0, "timestamp": i} for i in range(10050)])
    assert len(sess.get_json("/data/trades?limit=20000")) == 10000


def test_data_trades_2025_caps(sess):
    sess.state(trades=[{"conditionId": "0x1", "price": 0.5, "size": 1.0, "timestamp": i} for i in range(600)])
    assert len(sess.get_json("/data/trades?limit=500")) == 500
    assert sess.get("/data/trades?limit=501")[0] == 400
    assert len(sess.get_json("/data/trades?limit=10&offset=1000")) == 0
    assert sess.get("/data/trades?offset=1001")[0] == 400


# --------------------------------------------------------------------------------------------
# faults
# --------------------------------------------------------------------------------------------
def test_fault_n_5xx_then_success(seeded):
    tok = seeded.summary["markets"][0]["clobTokenIds"][0]
    seeded.faults({"method": "GET", "path": "/clob/book", "times": 2, "status": 503})
    s1, h1, r1 = seeded.get(f"/clob/book?token_id={tok}")
    s2, _, _ = seeded.get(f"/clob/book?token_id={tok}")
    s3, _, r3 = seeded.get(f"/clob/book?token_id={tok}")
    assert (s1, s2, s3) == (503, 503, 200)
    assert json.loads(r1) == {"error": "Service Unavailable"} and h1["content-type"] == "application/json"
    assert json.loads(r3)["asset_id"] == tok
    reqs = seeded.requests("/clob/book")
    assert [r["fault"] for r in reqs] == [0, 0, None]
    rules = seeded.control("GET", "/faults")["rules"]
    assert rules[0]["times"] == 0 and rules[0]["hits"] == 2


def test_fault_429_retry_after_seconds(sess):
    sess.faults({"path": "/data/trades", "times": 1, "status": 429, "headers": {"Retry-After": "1"}})
    status, hdrs, _ = sess.get("/data/trades")
    assert status == 429 and hdrs["retry-after"] == "1"
    assert sess.get("/data/trades")[0] == 200


def test_fault_429_retry_after_http_date(sess):
    sess.faults({"path": "/data/trades", "times": 1, "status": 429, "retry_after_date_in": 2})
    before = time.time()
    status, hdrs, _ = sess.get("/data/trades")
    after = time.time()
    assert status == 429
    assert re.fullmatch(r"[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT", hdrs["retry-after"])
    # An HTTP date has 1 s resolution: the server's clock read during the request, plus 2 s,
    # truncated to the second. Compared at that resolution, not with a later us clock reading
    # (which a slow request on a loaded machine would push past the date).
    date = parsedate_to_datetime(hdrs["retry-after"]).timestamp()
    assert math.floor(before + 2) <= date <= math.floor(after + 2)
    # a literal HTTP date works too
    sess.faults({"path": "/gamma/*", "times": 1, "status": 429,
                 "headers": {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}})
    assert sess.get("/gamma/markets")[1]["retry-after"] == "Wed, 21 Oct 2015 07:28:00 GMT"


def test_fault_4xx_with_body(sess):
    sess.faults({"path": "/gamma/markets", "times": 1, "status": 400, "body": '{"error":"bad limit"}'},
                {"path": "/gamma/markets", "times": 1, "status": 425})
    s1, _, r1 = sess.get("/gamma/markets")
    s2, _, r2 = sess.get("/gamma/markets")
    assert (s1, json.loads(r1)) == (400, {"error": "bad limit"})
    assert (s2, json.loads(r2)) == (425, {"error": "Too Early"})


def test_fault_html_403(sess):
    sess.faults({"path": "/clob/*", "times": 1, "preset": "cloudflare_403"},
                {"path": "/clob/*", "times": 1, "status": 403, "content_type": "text/html",
                 "body": "<html><body>Access denied</body></html>"})
    status, hdrs, raw = sess.get("/clob/book?token_id=1")
    assert status == 403 and hdrs["content-type"].startswith("text/html") and hdrs["server"] == "cloudflare"
    assert b"Cloudflare" in raw and b"Sorry, you have been blocked" in raw
    status, hdrs, raw = sess.get("/clob/book?token_id=1")
    assert (status, hdrs["content-type"], raw) == (403, "text/html", b"<html><body>Access denied</body></html>")


def test_fault_hang_client_times_out(sess):
    sess.faults({"path": "/gamma/markets", "times": 1, "hang": True})
    t0 = time.monotonic()
    with pytest.raises((socket.timeout, TimeoutError)):
        sess.get("/gamma/markets", timeout=0.5)
    assert 0.4 < time.monotonic() - t0 < 2
    assert sess.get("/gamma/markets")[0] == 200     # the rule is used up; the server is fine
    assert len(sess.requests()) == 2


def test_fault_delay(sess):
    sess.faults({"path": "/gamma/markets", "times": 1, "delay_ms": 400})
    t0 = time.monotonic()
    status, _, raw = sess.get("/gamma/markets")
    assert status == 200 and raw == b"[]" and time.monotonic() - t0 >= 0.38
    sess.faults({"path": "/data/trades", "times": 1, "delay_ms": 300, "status": 502})
    t0 = time.monotonic()
    assert sess.get("/data/trades")[0] == 502 and time.monotonic() - t0 >= 0.28


def test_fault_truncate(seeded):
    seeded.faults({"path": "/gamma/markets", "times": 1, "truncate_at": 100})
    conn = http.client.HTTPConnection("127.0.0.1", seeded.c.port, timeout=5)
    conn.request("GET", seeded.base + "/gamma/markets")
    resp = conn.getresponse()
    full = int(resp.getheader("Content-Length"))
    assert resp.status == 200 and full > 1000
    with pytest.raises(http.client.IncompleteRead) as ei:
        resp.read()
    assert len(ei.value.partial) == 100
    conn.close()
    assert len(seeded.get_json("/gamma/markets")) == 5


def test_fault_oversize(seeded):
    seeded.faults({"path": "/data/trades", "times": 1, "oversize_bytes": 3_000_000},
                  {"path": "/clob/book", "times": 1, "oversize_bytes": 50_000})
    status, hdrs, raw = seeded.get("/data/trades")
    assert status == 200 and len(raw) >= 3_000_000 and int(hdrs["content-length"]) == len(raw)
    rows = json.loads(raw)
    assert isinstance(rows, list) and all("conditionId" in r for r in rows)   # repeated real rows
    status, _, raw = seeded.get("/clob/book?token_id=1")
    assert status == 200 and len(raw) >= 50_000 and isinstance(json.loads(raw), list)


def test_fault_close_connection(sess):
    sess.faults({"path": "/gamma/markets", "times": 1, "close_connection": True},
                {"path": "/gamma/markets", "times": 1, "close_connection": "reset"})
    with pytest.raises(http.client.RemoteDisconnected):
        sess.get("/gamma/markets")
    with pytest.raises((http.client.RemoteDisconnected, ConnectionResetError)):
        sess.get("/gamma/markets")
    assert sess.get("/gamma/markets")[0] == 200
    assert [r["fault"] for r in sess.requests()] == [0, 1, None]


def _raw_get(sess, path, timeout=5.0):
    """A raw socket that sent `GET path` (no gzip): (socket, bytes of the head incl. CRLFCRLF, rest)."""
    sock = socket.create_connection(("127.0.0.1", sess.c.port), timeout=timeout)
    sock.sendall(f"GET {sess.base}{path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"closed before the head ended: {data!r}"
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    return sock, head + b"\r\n\r\n", rest


def test_fault_reset_at(seeded):
    seeded.faults({"path": "/gamma/markets", "times": 1, "reset_at": 120})
    sock, head, got = _raw_get(seeded, "/gamma/markets")
    try:
        full = int(re.search(rb"(?i)content-length: (\d+)", head).group(1))
        assert head.startswith(b"HTTP/1.1 200") and full > 1000     # the full length is promised
        with pytest.raises(ConnectionResetError):                   # then RST, not FIN
            while True:
                chunk = sock.recv(65536)
                assert chunk, "FIN instead of RST"
                got += chunk
        assert len(got) == 120                                      # exactly N body bytes came first
    finally:
        sock.close()
    assert len(seeded.get_json("/gamma/markets")) == 5             # the rule is used up
    with pytest.raises(Exception, match="exclude each other"):
        seeded.faults({"path": "*", "truncate_at": 1, "reset_at": 2})


def test_fault_http09_sends_the_body_alone(seeded):
    """HTTP/0.9 style: no status line and no headers, just the body bytes, then the close."""
    seeded.faults({"path": "/clob/book", "times": 1, "http09": True},
                  {"path": "/clob/book", "times": 1, "http09": True, "body": "raw bytes", "gzip": True})
    tok = seeded.summary["markets"][0]["clobTokenIds"][0]
    for expected in (None, b"raw bytes"):
        sock = socket.create_connection(("127.0.0.1", seeded.c.port), timeout=5)
        try:
            sock.sendall(f"GET {seeded.base}/clob/book?token_id={tok} HTTP/1.1\r\nHost: x\r\n"
                         "Accept-Encoding: gzip\r\n\r\n".encode())
            got = b""
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break                                            # the server closed: FIN
                got += chunk
        finally:
            sock.close()
        assert not got.startswith(b"HTTP/")
        if expected is None:
            assert json.loads(got)["asset_id"] == tok                # the route's body, never gzipped
        else:
            assert got == expected
    assert seeded.get(f"/clob/book?token_id={tok}")[0] == 200       # the rules are used up
    with pytest.raises(Exception):
        seeded.faults({"path": "*", "http09": "yes"})


def test_fault_slow_body(seeded):
    seeded.faults({"path": "/gamma/markets", "times": 1, "slow_body_ms": 100})
    t0 = time.monotonic()
    sock, head, got = _raw_get(seeded, "/gamma/markets")
    try:
        assert time.monotonic() - t0 < 1.0 and head.startswith(b"HTTP/1.1 200")   # the head at once
        full = int(re.search(rb"(?i)content-length: (\d+)", head).group(1))
        sock.settimeout(0.05)
        end = time.monotonic() + 0.6
        while time.monotonic() < end:
            try:
                chunk = sock.recv(65536)
            except socket.timeout:
                continue
            assert chunk, "closed while trickling"
            got += chunk
        assert 2 <= len(got) <= 9 and len(got) < full               # ~one byte per 100 ms
    finally:
        sock.close()                                                # the client gives up ...
    assert len(seeded.get_json("/gamma/markets")) == 5             # ... and the server is fine
    with pytest.raises(Exception):
        seeded.faults({"path": "*", "slow_body_ms": 0})


def test_fault_garbage_body(sess):
    sess.faults({"path": "/data/trades", "times": 1, "body": "<<not json>>"})
    status, hdrs, raw = sess.get("/data/trades")
    assert (status, raw, hdrs["content-type"]) == (200, b"<<not json>>", "application/json")


def test_fault_chunked(seeded):
    seeded.faults({"path": "/data/trades", "times": 1, "chunked": True})
    status, hdrs, raw = seeded.get("/data/trades")
    assert status == 200 and hdrs.get("transfer-encoding") == "chunked" and "content-length" not in hdrs
    assert len(json.loads(raw)) > 10


def test_fault_matching(sess):
    sess.faults({"method": "POST", "path": "/clob/books", "status": 500},              # forever
                {"path": "/clob/book", "query": {"token_id": "7"}, "status": 418},
                {"path": "/clob/tick-size", "body": '{"minimum_tick_size":0.005}'})  # script an unknown route
    for _ in range(3):
        assert sess.c.request("POST", sess.base + "/clob/books", [])[0] == 500
    assert sess.get("/clob/books")[0] == 404                 # method differs
    assert sess.get("/clob/book?token_id=7")[0] == 418
    assert sess.get("/clob/book?token_id=8")[0] == 404       # query differs
    assert sess.get_json("/clob/tick-size?token_id=1") == {"minimum_tick_size": 0.005}
    sess.control("DELETE", "/faults")
    assert sess.c.request("POST", sess.base + "/clob/books", [])[0] == 200


def test_fault_on_default_session_paths_use_default(client):
    # default-session routes (no /s/<id>) record into the default session
    before = len(client.json("GET", "/_control/sessions/default/requests"))
    client.json("GET", "/gamma/markets?limit=1")
    after = client.json("GET", "/_control/sessions/default/requests")
    assert len(after) == before + 1 and after[-1]["path"] == "/gamma/markets"


# --------------------------------------------------------------------------------------------
# recording, gzip, keep-alive, request bodies
# --------------------------------------------------------------------------------------------
def test_request_recording(sess):
    sess.get("/gamma/markets?clob_token_ids=1&clob_token_ids=2&active=true", headers={"X-Test": "yes"})
    sess.c.request("POST", sess.base + "/clob/books", [{"token_id": "1"}])
    sess.get("/nope/really")
    reqs = sess.requests()
    assert [(r["method"], r["path"]) for r in reqs] == [("GET", "/gamma/markets"), ("POST", "/clob/books")]
    r0, r1 = reqs
    assert r0["query"] == {"clob_token_ids": ["1", "2"], "active": ["true"]}
    assert r0["raw_query"] == "clob_token_ids=1&clob_token_ids=2&active=true"
    assert r0["headers"]["x-test"] == "yes" and r0["body"] == ""
    assert json.loads(r1["body"]) == [{"token_id": "1"}]
    assert r0["t"] <= r1["t"] and abs(r1["t"] - time.time()) < 5
    assert [r["seq"] for r in reqs] == [0, 1]
    sess.control("DELETE", "/requests")
    assert sess.requests() == []


def test_gzip(seeded):
    status, hdrs, raw = seeded.get("/gamma/markets", headers={"Accept-Encoding": "gzip, deflate"})
    assert hdrs["content-encoding"] == "gzip" and int(hdrs["content-length"]) == len(raw)
    assert len(json.loads(gzip.decompress(raw))) == 5
    status, hdrs, raw = seeded.get("/gamma/markets")
    assert "content-encoding" not in hdrs and len(json.loads(raw)) == 5
    status, hdrs, raw = seeded.get("/gamma/markets", headers={"Accept-Encoding": "gzip;q=0"})
    assert "content-encoding" not in hdrs
    seeded.control("POST", "/config", {"gzip": False})
    status, hdrs, raw = seeded.get("/gamma/markets", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in hdrs and len(json.loads(raw)) == 5


def test_keep_alive_reuse(seeded):
    conn = http.client.HTTPConnection("127.0.0.1", seeded.c.port, timeout=5)
    conn.request("GET", seeded.base + "/gamma/markets")
    r1 = conn.getresponse()
    assert r1.status == 200 and r1.getheader("Content-Length") and len(json.loads(r1.read())) == 5
    sock = conn.sock
    conn.request("GET", seeded.base + "/clob/book?token_id=404")   # an error response keeps it alive too
    r2 = conn.getresponse()
    assert r2.status == 404 and r2.read()
    conn.request("GET", seeded.base + "/data/trades?limit=2")
    r3 = conn.getresponse()
    assert r3.status == 200 and len(json.loads(r3.read())) == 2
    assert conn.sock is sock
    conn.close()
    conns = [r["conn"] for r in seeded.requests()]
    assert len(conns) == 3 and len(set(conns)) == 1


def test_expect_100_continue_and_chunked_request(sess):
    body = json.dumps({"trades": [mk_trade(i) for i in range(50)]}).encode()
    s = socket.create_connection(("127.0.0.1", sess.c.port), timeout=5)
    s.sendall((f"POST /_control/sessions/{sess.id}/state HTTP/1.1\r\nHost: x\r\n"
               f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
               "Expect: 100-continue\r\n\r\n").encode())
    assert s.recv(100).startswith(b"HTTP/1.1 100 Continue")
    s.sendall(body)
    buf = b""
    while b"\r\n\r\n" not in buf:
        buf += s.recv(4096)
    assert buf.startswith(b"HTTP/1.1 200")
    s.close()
    conn = http.client.HTTPConnection("127.0.0.1", sess.c.port, timeout=5)
    conn.request("POST", sess.base + "/clob/books", body=iter([b'[{"token_id"', b':"1"}]']),
                 headers={"Transfer-Encoding": "chunked"}, encode_chunked=True)
    assert conn.getresponse().status == 200
    conn.close()
    assert sess.requests()[-1]["body"] == '[{"token_id":"1"}]'
    assert len(sess.get_json("/data/trades")) == 50


def test_urllib_works_too(seeded):
    with urllib.request.urlopen(f"http://127.0.0.1:{seeded.c.port}{seeded.base}/gamma/markets?limit=2") as r:
        assert len(json.loads(r.read())) == 2
    with pytest.raises(urllib.error.HTTPError) as ei:
        urllib.request.urlopen(f"http://127.0.0.1:{seeded.c.port}{seeded.base}/clob/book?token_id=1")
    assert ei.value.code == 404


def test_keep_alive_latency_has_no_delayed_ack_stall(seeded):
    # Headers and body in one write + TCP_NODELAY: a keep-alive request must not cost ~40 ms.
    conn = http.client.HTTPConnection("127.0.0.1", seeded.c.port, timeout=5)
    times = []
    for _ in range(15):
        t0 = time.perf_counter()
        conn.request("GET", seeded.base + "/clob/book?token_id=1")
        conn.getresponse().read()
        times.append(time.perf_counter() - t0)
    conn.close()
    assert sorted(times)[len(times) // 2] < 0.02, times
