"""The Python binding against book_server: PolymarketClient.fetch_orderbook + best bid.

    python rest_python_binding.py <base-url> <seq-requests> <conc-requests> [runs=3] [concurrency=32]

Run with PMINGEST_LIBRARY and PYTHONPATH=bindings/python (run_rest.sh does). One client with the
rate limiter off (the aiohttp baseline does not pace either), one untimed warm-up call. The book
is converted in full (every level an exact Decimal), then its best bid is checked, as the aiohttp
baseline parses the whole body and takes the max bid.

seq: sequential calls on the main thread (the Ctrl-C-aware path)  -> `req_per_s python_binding_seq`
conc: `concurrency` threads sharing the one client, the requests split between them
                                                                  -> `req_per_s python_binding_32conc`
Best of `runs` each.
"""
import sys
import threading
import time
from decimal import Decimal

import pmingest

TOKEN_ID = "21742633143463906290569050155826241533067272736897614950488156847949938836455"
BEST_BID = Decimal("0.48")


def fetch(client: "pmingest.PolymarketClient") -> None:
    book = client.fetch_orderbook(TOKEN_ID)
    if book.best_bid is None or book.best_bid.price != BEST_BID or len(book.bids) != 20 or len(book.asks) != 20:
        raise RuntimeError(f"wrong book: best bid {book.best_bid}")


def sequential(client, n: int, runs: int) -> float:
    best = 0.0
    for run in range(runs):
        t0 = time.perf_counter()
        for _ in range(n):
            fetch(client)
        rate = n / (time.perf_counter() - t0)
        print(f"python_binding_seq run {run + 1}: {rate:.0f} req/s", file=sys.stderr)
        best = max(best, rate)
    return best


def concurrent(client, n: int, runs: int, conc: int) -> float:
    best = 0.0
    for run in range(runs):
        counts = [n // conc + (1 if i < n % conc else 0) for i in range(conc)]
        barrier = threading.Barrier(conc + 1)
        errors = []

        def worker(count: int) -> None:
            barrier.wait()
            try:
                for _ in range(count):
                    fetch(client)
            except BaseException as error:  # reported below
                errors.append(error)

        threads = [threading.Thread(target=worker, args=(c,)) for c in counts]
        for t in threads:
            t.start()
        barrier.wait()
        t0 = time.perf_counter()
        for t in threads:
            t.join()
        rate = n / (time.perf_counter() - t0)
        if errors:
            raise errors[0]
        print(f"python_binding_{conc}conc run {run + 1}: {rate:.0f} req/s", file=sys.stderr)
        best = max(best, rate)
    return best


def main() -> None:
    url = sys.argv[1]
    seq, conc_n = int(sys.argv[2]), int(sys.argv[3])
    runs = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    conc = int(sys.argv[5]) if len(sys.argv) > 5 else 32
    with pmingest.PolymarketClient(clob_url=url, rate_limit=False) as client:
        fetch(client)
        print(f"req_per_s python_binding_seq {sequential(client, seq, runs):.0f}")
        print(f"req_per_s python_binding_{conc}conc {concurrent(client, conc_n, runs, conc):.0f}")


if __name__ == "__main__":
    main()
