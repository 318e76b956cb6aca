"""Self-tests of the fake's Data API v2 routes (/v2/trades, /v2/prices-history) and the CLOB's
POST /batch-prices-history.  Run: python3 -m pytest Tests/fakepolymarket -q"""

from __future__ import annotations

import json
import time

from test_server import Client, Session, client, server, sess  # noqa: F401  (fixtures)

COND = "0x" + "ab" * 32
COMBO = "0x" + "cd" * 31
TOKEN = "1" * 77


def v2_row(i, ts, cond=COND, **extra):
    row = {"proxy_wallet": "0x1234", "side": "BUY" if i % 2 else "SELL", "token_id": TOKEN, "condition_id": cond,
           "size": 10.0, "price": 0.5, "timestamp": ts, "title": "T", "slug": "s", "event_slug": "e",
           "outcome": "Yes", "outcome_index": 0, "transaction_hash": f"0x{i:04x}"}
    row.update(extra)
    return row


def walk(sess, query):
    rows, cursor, pages = [], None, 0
    while True:
        q = query + (f"&cursor={cursor}" if cursor else "")
        body = sess.get_json(f"/data/v2/trades?{q}")
        rows += body["data"]
        pages += 1
        if not body["pagination"]["has_more"]:
            assert body["pagination"]["next_cursor"] is None
            return rows, pages
        cursor = body["pagination"]["next_cursor"]


def test_v2_trades_pages_newest_first_with_cursor_and_cache_headers(sess):
    sess.state(v2_trades=[v2_row(i, 1767225600 - i) for i in range(250)])
    status, headers, raw = sess.get(f"/data/v2/trades?condition={COND}&limit=100")
    assert status == 200
    assert headers["cache-control"] == "public, max-age=300" and headers["x-trace-id"]
    body = json.loads(raw)
    assert [r["timestamp"] for r in body["data"]][:2] == [1767225600, 1767225599]
    assert body["pagination"]["has_more"] is True and body["pagination"]["limit"] == 100
    rows, pages = walk(sess, f"condition={COND}&limit=100")
    assert pages == 3 and len({r["transaction_hash"] for r in rows}) == 250
    assert '"price":0.5' in raw.decode() and '"size":10.0' in raw.decode()


def test_v2_trades_errors_use_the_v2_envelope(sess):
    for path in ("/data/v2/trades?offset=10", "/data/v2/trades?limit=1001", "/data/v2/trades?cursor=nope",
                 "/data/v2/trades?limit=abc", "/data/v2/trades?taker_only=maybe",
                 "/data/v2/trades?condition=" + ",".join(f"0x{i}" for i in range(21))):
        status, headers, raw = sess.get(path)
        body = json.loads(raw)
        assert status == 400, path
        assert set(body) == {"error", "code", "retryable", "trace_id"} and body["retryable"] is False
        assert headers["x-trace-id"] == body["trace_id"]
    assert sess.get("/data/v2/trades?limit=1000")[0] == 200
    assert sess.get_json("/data/v2/trades?limit=0")["data"] == []


def test_v2_trades_combos_makers_and_legacy_fallback(sess):
    sess.state(v2_trades=[v2_row(1, 100), v2_row(2, 90, cond=COMBO, slug="", outcome="", outcome_index=999),
                          v2_row(3, 80, _maker=True)])
    rows = sess.get_json("/data/v2/trades?limit=10")["data"]
    assert [r["timestamp"] for r in rows] == [100, 90] and rows[1]["slug"] == "" and rows[1]["outcome_index"] == 999
    assert len(sess.get_json("/data/v2/trades?limit=10&taker_only=false")["data"]) == 3
    assert [r["timestamp"] for r in sess.get_json(f"/data/v2/trades?condition_id={COND}")["data"]] == [100]
    # No v2 rows: the legacy tape, renamed.
    sess.state(v2_trades=[], trades=[{"asset": TOKEN, "conditionId": COND, "side": "BUY", "price": 0.25, "size": 2,
                                      "timestamp": 5, "transactionHash": "0x1", "outcomeIndex": 1}])
    row = sess.get_json(f"/data/v2/trades?condition={COND}")["data"][0]
    assert row["token_id"] == TOKEN and row["condition_id"] == COND and row["outcome_index"] == 1


def test_v2_rate_limit_fault_has_no_retry_after(sess):
    sess.faults({"path": "/data/v2/trades", "times": 1, "preset": "v2_rate_limited"})
    status, headers, raw = sess.get("/data/v2/trades")
    assert status == 429 and "retry-after" not in headers
    assert json.loads(raw)["retryable"] is True and headers["x-trace-id"]
    assert sess.get("/data/v2/trades")[0] == 200


def test_prices_history_windows_limits_and_paging(sess):
    now = int(time.time())
    points = [{"timestamp": now - 3600 * i, "price": 0.5} for i in range(100)]
    points.append({"timestamp": now - 20 * 86400, "price": 0.25})
    sess.state(prices_history={TOKEN: points})
    body = sess.get_json(f"/data/v2/prices-history?token_id={TOKEN}&start={now - 10 * 3600}&end={now}")
    assert [p["timestamp"] for p in body["data"]] == [now - 3600 * i for i in range(10, 0, -1)]   # end exclusive, oldest first
    assert body["data"][0]["resolution_seconds"] == 60 and body["pagination"]["has_more"] is False
    assert sess.get(f"/data/v2/prices-history?token_id={TOKEN}&start={now - 16 * 86400}&end={now}")[0] == 400
    assert sess.get(f"/data/v2/prices-history?token_id={TOKEN}&start={now - 16 * 86400}")[0] == 400
    assert sess.get(f"/data/v2/prices-history?token_id={TOKEN}&start=1&interval=max")[0] == 400
    assert sess.get(f"/data/v2/prices-history?token_id={TOKEN}")[0] == 400
    assert sess.get(f"/data/v2/prices-history?token_id={TOKEN}&interval=max&limit=10001")[0] == 400
    assert sess.get(f"/data/v2/prices-history?token_id={TOKEN}&interval=2y")[0] == 400
    assert sess.get(f"/data/v2/prices-history?token_id={TOKEN}&end={now}")[0] == 400
    assert sess.get(f"/data/v2/prices-history?start={now}")[0] == 400
    assert len(sess.get_json(f"/data/v2/prices-history?token_id={TOKEN}&interval=max")["data"]) == 101
    assert len(sess.get_json(f"/data/v2/prices-history?token_id={TOKEN}&interval=1d")["data"]) == 25
    as_of = sess.get_json(f"/data/v2/prices-history?token_id={TOKEN}&as_of={now - 5400}")["data"]
    assert [p["timestamp"] for p in as_of] == [now - 7200]
    page = sess.get_json(f"/data/v2/prices-history?token_id={TOKEN}&interval=max&limit=40")
    assert len(page["data"]) == 40 and page["pagination"]["has_more"]
    nxt = sess.get_json(f"/data/v2/prices-history?token_id={TOKEN}&interval=max&cursor={page['pagination']['next_cursor']}")
    assert nxt["data"][0]["timestamp"] > page["data"][-1]["timestamp"]
    bucketed = sess.get_json(f"/data/v2/prices-history?token_id={TOKEN}&interval=max&bucket_seconds=86400")["data"]
    assert 5 <= len(bucketed) <= 7 and bucketed[0]["resolution_seconds"] == 86400


def test_batch_prices_history_caps_markets(sess):
    sess.state(prices_history={TOKEN: [{"timestamp": 100, "price": 0.125}, {"timestamp": 200, "price": 0.25}]})
    status, _, raw = sess.c.request("POST", sess.base + "/clob/batch-prices-history",
                                    body={"markets": [TOKEN, "2"], "start_ts": 150, "end_ts": 300, "fidelity": 1})
    assert status == 200
    assert json.loads(raw) == {"history": {TOKEN: [{"t": 200, "p": 0.25}], "2": []}}
    too_many = {"markets": [str(i) for i in range(21)], "start_ts": 0, "end_ts": 1}
    assert sess.c.request("POST", sess.base + "/clob/batch-prices-history", body=too_many)[0] == 400
    assert sess.c.request("POST", sess.base + "/clob/batch-prices-history", body={"markets": "x"})[0] == 400
    assert sess.c.request("POST", sess.base + "/clob/batch-prices-history", body="{")[0] == 400
    assert sess.c.request("POST", sess.base + "/clob/batch-prices-history",
                          body={"markets": [TOKEN], "start_ts": "a"})[0] == 400
