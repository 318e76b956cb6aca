"""Python clients of stream_push_server (run_stream.sh): the baselines and the binding.

    stream_python.py websockets <port> <frames>          -> python_websockets_json, python_websockets_json_decimal
    stream_python.py binding <port> <frames> <ids-file>  -> python_binding_receive_events

Baselines: the `websockets` package (asyncio client, no compression), each message `json.loads`ed
(`_json`), and typed (`_json_decimal`): every price and size made a `Decimal`, as a careful
Python client of the feed does. The binding: `pmingest.WebSocketClient(...).receive_events(256)`,
every event a plain `StreamEvent` with `Decimal`s. Each prints "msg_per_s <name> <value>"
(messages from the first in hand to the last)."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from decimal import Decimal


def typed(event: dict) -> object:
    kind = event.get("event_type")
    if kind == "price_change":
        return [(c["asset_id"], c["side"], Decimal(c["price"]), Decimal(c["size"])) for c in event["price_changes"]]
    if kind == "last_trade_price":
        return (event["asset_id"], Decimal(event["price"]), Decimal(event["size"]), int(event["timestamp"]))
    if kind == "book":
        return ([(Decimal(l["price"]), Decimal(l["size"])) for l in event["bids"]],
                [(Decimal(l["price"]), Decimal(l["size"])) for l in event["asks"]])
    return event


async def websockets_client(port: int, frames: int, decimals: bool) -> float:
    import websockets

    async with websockets.connect(f"ws://127.0.0.1:{port}/ws/market", max_size=None, compression=None) as ws:
        await ws.send('{"assets_ids":[],"type":"market","initial_dump":true}')
        seen = 0
        first = last = 0.0
        while seen < frames:
            message = await ws.recv()
            event = json.loads(message)
            if decimals:
                typed(event)
            last = time.perf_counter()
            if seen == 0:
                first = last
            seen += 1
    return (seen - 1) / (last - first)


def binding_client(port: int, frames: int, ids_path: str) -> float:
    import pmingest

    ids = [line.strip() for line in open(ids_path) if line.strip()]
    client = pmingest.WebSocketClient(
        f"ws://127.0.0.1:{port}/ws/market", max_assets_per_connection=500, subscription_chunk_size=500
    )
    client.subscribe(ids)
    client.connect()
    seen = 0
    first = last = 0.0
    idle = time.monotonic()
    while seen + client.stats()["dropped"] < frames and time.monotonic() - idle < 3:
        events = client.receive_events(256, timeout=0.1)
        if not events:
            continue
        idle = time.monotonic()
        for event in events:
            if event.type != "reconnected":
                last = time.perf_counter()
                if seen == 0:
                    first = last
                seen += 1
    dropped = client.stats()["dropped"]
    client.close()
    print(f"dropped python_binding_receive_events {dropped}")
    return (seen - 1) / (last - first)


def main() -> None:
    mode, port, frames = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    if mode == "websockets":
        rate = asyncio.run(websockets_client(port, frames, decimals=False))
        print(f"msg_per_s python_websockets_json {rate:.0f}", flush=True)
        rate = asyncio.run(websockets_client(port, frames, decimals=True))
        print(f"msg_per_s python_websockets_json_decimal {rate:.0f}", flush=True)
    elif mode == "binding":
        rate = binding_client(port, frames, sys.argv[4])
        print(f"msg_per_s python_binding_receive_events {rate:.0f}", flush=True)
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
