"""``MetadataSync.sync(progress=...)``: one ``SyncProgress`` per Gamma listing page; an
exception in the callback cancels the sync (nothing written) and is re-raised."""

from __future__ import annotations

import threading

import pytest

import pmingest


def test_progress_reports_every_page(fake):
    fake.seed("basic")
    fake.config(gamma_keyset_markets_max=2)  # the 4 open markets take more than one page
    seen = []
    threads = set()

    def progress(step: pmingest.SyncProgress) -> None:
        seen.append(step)
        threads.add(threading.get_ident())

    with pmingest.Database() as db:
        report = pmingest.MetadataSync(fake.client(), db).sync(progress=progress)
        assert (report.markets, report.inserted) == (4, 8)
        assert len(seen) >= 2
        assert [step.pages for step in seen] == list(range(1, len(seen) + 1))
        assert all(a.markets <= b.markets for a, b in zip(seen, seen[1:]))
        assert seen[-1].markets == 4
        assert len(fake.requests("/gamma/markets/keyset")) == len(seen)
        assert len(threads) == 1  # one thread calls it for the whole listing
        # without progress: the same sync as before
        again = pmingest.MetadataSync(fake.client(), db).sync()
        assert (again.markets, again.unchanged) == (4, 8)


def test_an_exception_in_progress_cancels_and_is_reraised(fake):
    fake.seed("basic")
    fake.config(gamma_keyset_markets_max=2)

    class Stop(Exception):
        pass

    calls = []

    def progress(step: pmingest.SyncProgress) -> None:
        calls.append(step)
        raise Stop("enough")

    with pmingest.Database() as db:
        client = fake.client()
        with pytest.raises(Stop, match="enough"):
            pmingest.MetadataSync(client, db).sync(progress=progress)
        assert len(calls) == 1
        assert pmingest.TokenMetaRepository(db).list() == []  # nothing written
        # the client is still usable afterwards
        assert pmingest.MetadataSync(client, db).sync().inserted == 8


def test_progress_must_be_callable(fake):
    with pmingest.Database() as db:
        with pytest.raises(TypeError, match="progress"):
            pmingest.MetadataSync(fake.client(), db).sync(progress=42)  # type: ignore[arg-type]
