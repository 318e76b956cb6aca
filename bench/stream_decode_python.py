"""Baseline for the stream decode figure: what a Python client does per market-channel frame,
json.loads + decimal.Decimal for every price and size, int timestamps, one tuple per event/level.

    python stream_decode_python.py <corpus-file> [runs]

Prints `msg_per_s python_json_decimal <n>` (best of runs, thread CPU time like the other two
decoders) and `checksum python_json_decimal events <n> ...` (events only: no micro sums here).
"""
import json
import sys
import time
from decimal import Decimal


def dec(text):
    return Decimal(text) if text else None


def decode(frame):
    obj = json.loads(frame)
    kind = obj.get("event_type")
    if kind == "price_change":
        return (kind, obj.get("market"), int(obj["timestamp"]),
                [(c["asset_id"], c["side"].upper(), Decimal(c["price"]), Decimal(c["size"]),
                  dec(c.get("best_bid")), dec(c.get("best_ask")), c.get("hash") or None)
                 for c in obj["price_changes"]])
    if kind == "last_trade_price":
        return (kind, obj["asset_id"], obj.get("market"), Decimal(obj["price"]), dec(obj.get("size")),
                obj.get("side"), obj.get("fee_rate_bps"), int(obj["timestamp"]), obj.get("transaction_hash"))
    if kind == "book":
        bids = sorted(((Decimal(l["price"]), Decimal(l["size"])) for l in obj.get("bids") or []), reverse=True)
        asks = sorted((Decimal(l["price"]), Decimal(l["size"])) for l in obj.get("asks") or [])
        return (kind, obj["asset_id"], obj.get("market"), int(obj["timestamp"]), obj.get("hash"), bids, asks,
                dec(obj.get("tick_size")), dec(obj.get("min_order_size")), obj.get("neg_risk"))
    return None


def main():
    path = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    with open(path, "rb") as f:
        frames = f.read().split(b"\n")
    if frames and not frames[-1]:
        frames.pop()
    best = 0.0
    events = 0
    for _ in range(runs):
        events = 0
        start = time.thread_time()
        for frame in frames:
            if decode(frame) is not None:
                events += 1
        elapsed = time.thread_time() - start
        best = max(best, len(frames) / elapsed)
    print(f"msg_per_s python_json_decimal {best:.0f}")
    print(f"checksum python_json_decimal events {events}")


if __name__ == "__main__":
    main()
