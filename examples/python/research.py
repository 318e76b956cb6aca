"""A research script's view of pmingest: pull recent trades into SQLite, then iterate the stream.

    PMINGEST_LIBRARY=dist/lib/libpmingest.so.0 python examples/python/research.py [seconds]

URLs come from PMINGEST_GAMMA_URL / _CLOB_URL / _DATA_URL / _WS_URL (production by default).
Prices are decimal.Decimal and times timezone-aware datetimes throughout: no floats.
"""
import os
import sys
import time
from decimal import Decimal

import pmingest


def main() -> int:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0
    env = os.environ.get
    with pmingest.PolymarketClient(env("PMINGEST_GAMMA_URL"), env("PMINGEST_CLOB_URL"), env("PMINGEST_DATA_URL")) as client, \
            pmingest.Database(pmingest.DatabaseConfig(path=":memory:")) as db:
        report = pmingest.MetadataSync(client, db).sync()
        print(f"synced {report.markets} markets: {report.inserted} tokens inserted")
        tokens = [meta.token_id for meta in pmingest.TokenMetaRepository(db).list() if meta.active]

        # G1: only trades that passed the age check are ever handed out as recent.
        fetcher = pmingest.TradeFetcher(client, max_age_seconds=300)
        trades = pmingest.TradeRepository(db)
        for token in tokens:
            recent = fetcher.fetch_recent_trades(token)
            trades.upsert_many(recent)
            if fetcher.last_dropped_stale:
                print(f"  {token[:8]}…: {len(recent)} fresh, {fetcher.last_dropped_stale} stale dropped (G1)")
        print(f"stored {trades.count()} fresh trades")

        # The stream: PriceUpdate has no size (G3); the processor back-fills it over REST.
        processor = pmingest.EventProcessor(fetcher, min_size=Decimal("50"))
        with pmingest.WebSocketClient(env("PMINGEST_WS_URL")) as stream:
            stream.connect()
            stream.subscribe(tokens)
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                event = stream.receive_event(timeout=0.2)
                if event is None or event.price_update is None:
                    continue
                update = event.price_update
                assert not hasattr(update, "size")
                processed = processor.process(event)
                verdict = "passes" if processed.passed else "filtered"
                print(f"  {update.timestamp:%H:%M:%S} {update.token_id[:8]}… @ {update.price}: "
                      f"size {processed.size} ({processed.size_source}) -> {verdict}")
                if processed.passed:  # G5 before any order
                    valid, best_bid, reason = pmingest.verify_orderbook_price(client, update.token_id, update.price)
                    print(f"    {'ok to order' if valid else 'REJECTED'}: {reason}")
        print("processor:", processor.stats())
    return 0


if __name__ == "__main__":
    sys.exit(main())
