#!/usr/bin/env python3
"""Scripts the bundled fake Polymarket's `default` session for `make demo`: a realistic replay of a
few markets with the three traps this library exists for.

- G1: the basic preset's trade tapes are mostly hours to months old (thin markets); only a few
  prints are fresh.
- G3: stream prints (last_trade_price) come without size; one fresh REST trade lets the size be
  back-filled, another print has no fresh trade near it at all.
- G5: a spike print at 0.95 (with a large size, so it passes the size filter) while the book's
  best bid sits at 0.51: it must be rejected before any order.

Usage: demo_scenario.py http://127.0.0.1:PORT   (prints the token ids it used)
"""
import json
import sys
import time
import urllib.request

root = sys.argv[1].rstrip("/")


def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(root + path, data=data, method=method,
                                     headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


now = int(time.time())
seed = call("POST", "/_control/sessions/default/seed", {"preset": "basic", "now": now})
by_key = {m["key"]: m for m in seed["markets"]}
a_yes = by_key["A"]["clobTokenIds"][0]
a_condition = by_key["A"]["conditionId"]
b1_yes = by_key["B1"]["clobTokenIds"][0]

# One fresh REST trade near 0.52 on A: the size the stream print lacks (G3).
call("POST", "/_control/sessions/default/append", {"trades": [{
    "proxyWallet": "0x5b7c1e0f6f2c4c3a9d8e7f6a5b4c3d2e1f0a9b8c", "side": "BUY", "asset": a_yes,
    "conditionId": a_condition, "size": 120.0, "price": 0.52, "timestamp": now - 8,
    "title": "demo", "slug": "demo", "outcome": "Yes", "outcomeIndex": 0,
    "transactionHash": "0x" + "de" * 32}]})

ms = now * 1000


def last_trade(asset, price, size=None, delay_ms=400, offset_ms=0):
    event = {"event_type": "last_trade_price", "market": a_condition if asset == a_yes else "",
             "asset_id": asset, "price": price, "side": "BUY", "fee_rate_bps": "0",
             "timestamp": str(ms + offset_ms)}
    if size is not None:
        event["size"] = size
    return {"json": event, "delay_ms": delay_ms}


level_change = {"json": {"event_type": "price_change", "market": a_condition, "timestamp": str(ms + 1500),
                         "price_changes": [{"asset_id": a_yes, "price": "0.95", "size": "10", "side": "SELL",
                                            "hash": "ab" * 20, "best_bid": "0.51", "best_ask": "0.52"}]},
                "delay_ms": 400}

call("POST", "/_control/sessions/default/ws", {
    "dump": True,
    "on_subscribe": [
        last_trade(a_yes, "0.52", offset_ms=1000),              # no size: back-filled over REST -> 120
        level_change,                                             # a new ask at 0.95 is NOT a trade
        last_trade(a_yes, "0.95", size="200", offset_ms=2000),   # the spike: passes size, fails G5
        last_trade(b1_yes, "0.31", offset_ms=2500),              # no size, no fresh trade near it
    ],
})
print(json.dumps({"a_yes": a_yes, "b1_yes": b1_yes}))
