"""Self-tests of the fake's CLOB batch price routes (POST /prices, /midpoints, /last-trades-prices).
Run: python3 -m pytest Tests/fakepolymarket -q"""

from __future__ import annotations

import json

from test_server import Client, Session, client, server, sess  # noqa: F401  (fixtures)

TOK = "1" * 77
OTHER = "2" * 77


def book(token, bids, asks, last=None):
    b = {"market": "0x" + "ab" * 32, "asset_id": token, "timestamp": "1", "hash": "",
         "bids": [{"price": p, "size": "1"} for p in bids], "asks": [{"price": p, "size": "1"} for p in asks],
         "min_order_size": "5", "tick_size": "0.01", "neg_risk": False}
    if last is not None:
        b["last_trade_price"] = last
    return b


def post(sess, path, body):
    status, _, raw = sess.c.request("POST", sess.base + "/clob" + path, body=body)
    return status, json.loads(raw)


def test_prices_and_midpoints_use_best_levels_not_positions(sess):
    sess.state(books={TOK: book(TOK, ["0.01", "0.49", "0.5"], ["0.99", "0.55", "0.52"]), OTHER: book(OTHER, [], ["0.4"])})
    status, body = post(sess, "/prices", [{"token_id": TOK, "side": "BUY"}, {"token_id": TOK, "side": "SELL"},
                                          {"token_id": OTHER, "side": "BUY"}, {"token_id": "9", "side": "SELL"}])
    assert status == 200 and body == {TOK: {"BUY": "0.5", "SELL": "0.52"}}
    status, body = post(sess, "/midpoints", [{"token_id": TOK}, {"token_id": OTHER}, {"token_id": "9"}])
    assert status == 200 and body == {TOK: "0.51"}


def test_last_trades_prices_prefer_the_newest_trade_then_the_book(sess):
    sess.state(books={TOK: book(TOK, ["0.5"], ["0.6"], last="0.55"), OTHER: book(OTHER, ["0.1"], ["0.2"], last="0.15")},
               trades=[{"asset": TOK, "price": 0.25, "side": "SELL", "timestamp": 10},
                       {"asset": TOK, "price": 0.75, "side": "BUY", "timestamp": 20}])
    status, body = post(sess, "/last-trades-prices", [{"token_id": TOK}, {"token_id": OTHER}, {"token_id": "9"}])
    assert status == 200
    assert body == [{"token_id": TOK, "price": "0.75", "side": "BUY"}, {"token_id": OTHER, "price": "0.15", "side": ""}]


def test_batch_routes_refuse_bad_bodies_and_more_than_the_limit(sess):
    rows = [{"token_id": str(i), "side": "BUY"} for i in range(101)]
    for path in ("/prices", "/midpoints", "/last-trades-prices"):
        assert post(sess, path, rows)[0] == 400
        assert post(sess, path, rows[:100])[0] == 200
        assert post(sess, path, {"token_id": TOK})[0] == 400
        assert sess.c.request("POST", sess.base + "/clob" + path, body="[")[0] == 400
    assert post(sess, "/prices", [{"token_id": TOK, "side": "MID"}])[0] == 400
    sess.control("POST", "/config", {"clob_batch_tokens_max": 2})
    assert post(sess, "/midpoints", [{"token_id": "1"}, {"token_id": "2"}, {"token_id": "3"}])[0] == 400
    log = sess.requests("/clob/midpoints")
    assert log and all(r["path"].startswith("/clob/midpoints") for r in (log if isinstance(log, list) else log["requests"]))
