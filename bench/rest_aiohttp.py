"""Baseline: Python aiohttp against book_server — GET /book, json.loads, best bid = max bid price.

    python rest_aiohttp.py <base-url> <seq-requests> <conc-requests> [runs=3] [concurrency=32]

One ClientSession (keep-alive connection pool) per mode, one untimed warm-up round. Prints
`req_per_s aiohttp_seq <best of runs>` and `req_per_s aiohttp_<concurrency>conc <best of runs>`.
Needs aiohttp (in the project venv: .venv/bin/python -m pip install aiohttp).
"""
import asyncio
import json
import sys
import time

import aiohttp

TOKEN_ID = "21742633143463906290569050155826241533067272736897614950488156847949938836455"
BEST_BID = 0.48


async def fetch_best_bid(session: aiohttp.ClientSession, url: str) -> float:
    async with session.get(url) as response:
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}")
        body = await response.read()
    book = json.loads(body)
    best = max(float(level["price"]) for level in book["bids"])
    if best != BEST_BID:
        raise RuntimeError(f"wrong best bid {best}")
    return best


async def sequential(url: str, n: int, runs: int) -> float:
    best = 0.0
    async with aiohttp.ClientSession() as session:
        await fetch_best_bid(session, url)
        for run in range(runs):
            t0 = time.perf_counter()
            for _ in range(n):
                await fetch_best_bid(session, url)
            rate = n / (time.perf_counter() - t0)
            print(f"aiohttp_seq run {run + 1}: {rate:.0f} req/s", file=sys.stderr)
            best = max(best, rate)
    return best


async def concurrent(url: str, n: int, runs: int, conc: int) -> float:
    async def worker(session: aiohttp.ClientSession, count: int) -> None:
        for _ in range(count):
            await fetch_best_bid(session, url)

    best = 0.0
    connector = aiohttp.TCPConnector(limit=conc)
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(worker(session, 1) for _ in range(conc)))
        for run in range(runs):
            counts = [n // conc + (1 if i < n % conc else 0) for i in range(conc)]
            t0 = time.perf_counter()
            await asyncio.gather(*(worker(session, c) for c in counts))
            rate = n / (time.perf_counter() - t0)
            print(f"aiohttp_{conc}conc run {run + 1}: {rate:.0f} req/s", file=sys.stderr)
            best = max(best, rate)
    return best


def main() -> None:
    if len(sys.argv) < 4:
        sys.exit(f"usage: {sys.argv[0]} <base-url> <seq-requests> <conc-requests> [runs] [concurrency]")
    base, n_seq, n_conc = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    runs = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    conc = int(sys.argv[5]) if len(sys.argv) > 5 else 32
    url = f"{base}/book?token_id={TOKEN_ID}"
    print(f"req_per_s aiohttp_seq {asyncio.run(sequential(url, n_seq, runs)):.0f}", flush=True)
    print(f"req_per_s aiohttp_{conc}conc {asyncio.run(concurrent(url, n_conc, runs, conc)):.0f}", flush=True)


if __name__ == "__main__":
    main()
