"""The trade tape's history: fetch_trade_history, backfill_trades (kill and resume), and
get_trade_coverage, against the fake server's /v2/trades."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

import pmingest
from conftest import TOKEN

COND = "0x5f65177b394277fd294cd75650044e32ba009a95022d88a0c1d565897d72f8f1"
COMBO = "0x" + "cd" * 31
NEWEST = 1767225600


def rows(n, newest=NEWEST):
    out = [{"proxy_wallet": "0x1234", "side": "BUY" if i % 2 else "SELL", "token_id": TOKEN, "condition_id": COND,
            "size": 50.0, "price": 0.30000000000000004, "timestamp": newest - i, "title": "T", "slug": "s",
            "event_slug": "e", "outcome": "Yes", "outcome_index": 0, "transaction_hash": f"0x{i:x}"}
           for i in range(n)]
    out.append({"proxy_wallet": "0x1", "side": "BUY", "token_id": "1", "condition_id": COMBO, "_combo_of": COND,
                "size": 1, "price": 0.5, "timestamp": newest - n - 5, "slug": "", "outcome": "", "outcome_index": 999})
    return out


def at(seconds):
    return datetime.fromtimestamp(seconds, tz=timezone.utc)


def test_fetch_trade_history_reads_every_page_exactly(fake):
    fake.set_state(v2_trades=rows(1500))
    client = fake.client(rate_limit=False)
    trades = client.fetch_trade_history(COND)
    assert len(trades) == 1500 and len({t.id for t in trades}) == 1500
    assert trades[0].timestamp == at(NEWEST) and trades[-1].timestamp == at(NEWEST - 1499)
    assert trades[0].price == Decimal("0.3") and trades[0].size == Decimal("50")
    assert all(t.condition_id == COND for t in trades)   # the combo row is skipped
    assert len(fake.requests("/data/v2/trades")) == 2
    recent = client.fetch_trade_history(COND, since=at(NEWEST - 9) + timedelta(microseconds=1))
    assert [t.timestamp for t in recent] == [at(NEWEST - i) for i in range(9)]   # since rounds up: inclusive


def test_fetch_trade_history_refuses_bad_arguments(fake):
    client = fake.client(rate_limit=False)
    with pytest.raises(ValueError, match="naive"):
        client.fetch_trade_history(COND, since=datetime(2026, 1, 1))
    with pytest.raises(TypeError):
        client.fetch_trade_history(COND, since=1767225600)
    with pytest.raises(pmingest.PmInvalidArgument):
        client.fetch_trade_history("bad id")


def test_fetch_trade_history_surfaces_the_v2_429(fake):
    fake.faults({"path": "/data/v2/trades", "times": 1, "preset": "v2_rate_limited"})
    with pytest.raises(pmingest.PmHTTPError):
        fake.client(rate_limit=False, max_attempts=1).fetch_trade_history(COND)


def test_backfill_resumes_after_a_failure_without_duplicates_or_gaps(fake, tmp_path):
    fake.set_state(v2_trades=rows(2500))
    # Page 3 fails (one attempt): the run dies with pages 1 and 2 stored and proven.
    fake.faults({"path": "/data/v2/trades", "query": {"cursor": "v2.MjAwMDoxMDAw"}, "times": 1, "status": 500})
    client = fake.client(rate_limit=False, max_attempts=1)
    with pmingest.Database(str(tmp_path / "t.db")) as db:
        with pytest.raises(pmingest.PmHTTPError):
            pmingest.backfill_trades(client, db, [COND])
        assert pmingest.TradeRepository(db).count() == 2000
        partial = pmingest.get_trade_coverage(db, COND)
        assert partial is not None and partial.oldest == at(NEWEST - 1999) + timedelta(milliseconds=1)
        seen = []
        report = pmingest.backfill_trades(client, db, [COND], progress=seen.append)
        assert report == pmingest.BackfillReport(pages=3, trades=2500, inserted=500)
        assert [p.pages for p in seen] == [1, 2, 3] and seen[-1].condition_id == COND
        assert seen[-1].market_count == 1 and seen[-1].inserted == 500
        assert pmingest.TradeRepository(db).count() == 2500
        full = pmingest.get_trade_coverage(db, COND)
        assert full.oldest == at(0) and full.newest > at(NEWEST)
        assert pmingest.get_trade_coverage(db, "0xother") is None


def test_backfill_since_and_stored_markets(fake):
    fake.set_state(v2_trades=rows(3000))
    client = fake.client(rate_limit=False)
    with pmingest.Database() as db:
        assert pmingest.backfill_trades(client, db) == pmingest.BackfillReport(0, 0, 0)   # no stored markets
        report = pmingest.backfill_trades(client, db, [COND], since=at(NEWEST - 1499))
        assert report.pages == 2 and pmingest.get_trade_coverage(db, COND).oldest == at(NEWEST - 1499)
        with pytest.raises(ValueError, match="naive"):
            pmingest.backfill_trades(client, db, [COND], since=datetime(2026, 1, 1))
        with pytest.raises(ValueError, match="empty"):
            pmingest.backfill_trades(client, db, [])
        with pytest.raises(TypeError):
            pmingest.backfill_trades(client, db, COND)
        with pytest.raises(TypeError):
            pmingest.backfill_trades(client, db, [COND], progress=3)
        with pytest.raises(TypeError):
            pmingest.backfill_trades(db, client)


def test_a_raising_progress_callback_stops_the_backfill(fake):
    fake.set_state(v2_trades=rows(3000))
    client = fake.client(rate_limit=False)

    def stop(progress):
        raise RuntimeError(f"stop at page {progress.pages}")

    with pmingest.Database() as db:
        with pytest.raises(RuntimeError, match="stop at page 1"):
            pmingest.backfill_trades(client, db, [COND], progress=stop)
        assert pmingest.TradeRepository(db).count() <= 2000
        # The client still works afterwards.
        assert len(client.fetch_trade_history(COND, since=at(NEWEST - 4))) == 5


# --- price history -----------------------------------------------------------------------------
P0 = 1760000000
OTHER = "52114319501245915516055106046884209969926127482827954674443846427813813222426"


def test_fetch_price_history_splits_long_ranges_exactly(fake):
    # floats as the wire has them (Python writes the shortest repr: 0.1, 0.101, ...)
    fake.set_state(prices_history={TOKEN: [{"timestamp": P0 + 3600 * i, "price": float(f"0.{100 + i % 800:03d}")}
                                           for i in range(960)]})
    client = fake.client(rate_limit=False)
    points = client.fetch_price_history(TOKEN, at(P0), at(P0 + 40 * 86400), bucket_seconds=3600)
    assert len(points) == 960 and len({p.timestamp for p in points}) == 960
    assert points[0] == pmingest.PricePoint(TOKEN, at(P0), Decimal("0.1"))
    assert points[1].price == Decimal("0.101") and points[-1].timestamp == at(P0 + 959 * 3600)
    assert len(fake.requests("/data/v2/prices-history")) == 3
    with pytest.raises(ValueError, match="naive"):
        client.fetch_price_history(TOKEN, datetime(2026, 1, 1))
    with pytest.raises(pmingest.PmInvalidArgument):
        client.fetch_price_history(TOKEN, at(P0), at(P0))
    with pytest.raises(pmingest.PmInvalidArgument):
        client.fetch_price_history(TOKEN, at(P0), bucket_seconds=0)


def test_fetch_price_histories_and_the_repository(fake):
    fake.set_state(prices_history={TOKEN: [{"timestamp": P0, "price": 0.30000000000000004},
                                           {"timestamp": P0 + 7200, "price": 0.25}]})
    client = fake.client(rate_limit=False)
    history = client.fetch_price_histories([TOKEN, OTHER], at(P0), at(P0 + 3600))
    assert history == {TOKEN: [pmingest.PricePoint(TOKEN, at(P0), Decimal("0.3"))], OTHER: []}
    with pytest.raises(TypeError):
        client.fetch_price_histories(TOKEN, at(P0))
    with pmingest.Database() as db:
        repo = pmingest.PriceHistoryRepository(db)
        assert repo.upsert(history[TOKEN] + [pmingest.PricePoint(TOKEN, at(P0 + 60), Decimal("0.5"))]) == 2
        assert repo.upsert(history[TOKEN]) == 0 and repo.upsert([]) == 0
        assert [p.price for p in repo.points(TOKEN)] == [Decimal("0.3"), Decimal("0.5")]
        assert repo.points(TOKEN, start=at(P0 + 1)) == [pmingest.PricePoint(TOKEN, at(P0 + 60), Decimal("0.5"))]
        with pytest.raises(TypeError):
            repo.upsert([3])
        with pytest.raises(pmingest.PmInvalidArgument):
            repo.points("x")
