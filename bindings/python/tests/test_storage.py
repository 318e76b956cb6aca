"""Database and repositories: every method, exactness, dedup, bad input, threads."""

from __future__ import annotations

import calendar
import dataclasses
import gc
import random
import subprocess
import sys
import textwrap
import threading
import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

import pmingest
from pmingest import _convert

from conftest import CONDITION, OTHER_TOKEN, T0, TOKEN, make_trade

UTC = timezone.utc


def stored(trade: pmingest.PolymarketTrade, result: pmingest.PolymarketTrade):
    """`result` without its store-assigned id, to compare with what was written."""
    assert result.id is not None and len(result.id) == 64
    int(result.id, 16)
    return dataclasses.replace(result, id=None) == dataclasses.replace(trade, id=None)


# ---------------------------------------------------------------------------------------------
# Database
# ---------------------------------------------------------------------------------------------


def test_open_forms(tmp_path):
    for argument in (
        None,
        ":memory:",
        pmingest.DatabaseConfig(),
        tmp_path / "a.db",
        str(tmp_path / "b.db"),
    ):
        database = pmingest.Database(argument)
        assert not database.closed
        assert pmingest.TradeRepository(database).count() == 0
        database.close()
        assert database.closed
    assert pmingest.DatabaseConfig() == pmingest.DatabaseConfig(":memory:", 5000)


def test_file_database_persists(tmp_path):
    path = tmp_path / "trades.db"
    with pmingest.Database(pmingest.DatabaseConfig(str(path), busy_timeout_ms=1000)) as database:
        assert pmingest.TradeRepository(database).upsert(make_trade())
        pmingest.TradeWatermarkRepository(database).update(CONDITION, T0)
    with pmingest.Database(path) as database:
        assert pmingest.TradeRepository(database).count() == 1
        assert pmingest.TradeWatermarkRepository(database).get(CONDITION).last_trade_timestamp == T0


def test_memory_databases_are_private():
    with pmingest.Database() as first, pmingest.Database() as second:
        pmingest.TradeRepository(first).upsert(make_trade())
        assert pmingest.TradeRepository(second).count() == 0


def test_use_after_close_raises_value_error():
    database = pmingest.Database()
    trades = pmingest.TradeRepository(database)
    watermarks = pmingest.TradeWatermarkRepository(database)
    metas = pmingest.TokenMetaRepository(database)
    database.close()
    calls = [
        lambda: trades.upsert(make_trade()),
        lambda: trades.upsert_many([make_trade()]),
        lambda: trades.upsert_many([]),
        lambda: trades.query(TOKEN),
        lambda: trades.query(TOKEN, limit=0),
        lambda: trades.count(),
        lambda: watermarks.get(CONDITION),
        lambda: watermarks.update(CONDITION, T0),
        lambda: metas.upsert(pmingest.PolymarketTokenMeta(TOKEN, CONDITION)),
        lambda: metas.get(TOKEN),
        lambda: metas.list(),
        lambda: database.__enter__(),
    ]
    for call in calls:
        with pytest.raises(ValueError, match="database is closed"):
            call()


def test_close_twice_and_context_manager():
    database = pmingest.Database()
    database.close()
    database.close()
    with pmingest.Database() as database:
        assert not database.closed
    assert database.closed
    database.close()


def test_del_is_a_fallback():
    database = pmingest.Database()
    pmingest.TradeRepository(database).upsert(make_trade())
    del database
    gc.collect()  # freed by __del__; nothing to observe but the absence of a crash


def test_repositories_keep_the_database_alive():
    trades = pmingest.TradeRepository(pmingest.Database())
    gc.collect()
    assert trades.upsert(make_trade())
    assert trades.count() == 1


def test_bad_configuration():
    with pytest.raises(TypeError):
        pmingest.Database(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        pmingest.Database(b"/tmp/x.db")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        pmingest.Database(pmingest.DatabaseConfig(busy_timeout_ms=1.5))  # type: ignore[arg-type]
    for timeout in (-1, 2**31):
        with pytest.raises(pmingest.PmInvalidArgument):
            pmingest.Database(pmingest.DatabaseConfig(busy_timeout_ms=timeout))
    with pytest.raises(TypeError):
        pmingest.TradeRepository("db.sqlite")  # type: ignore[arg-type]


def test_not_a_database_is_corrupt_and_left_untouched(tmp_path):
    path = tmp_path / "garbage.db"
    garbage = b"this is not an SQLite database\n" * 200
    path.write_bytes(garbage)
    with pytest.raises(pmingest.PmDatabaseCorrupt) as caught:
        pmingest.Database(str(path))
    assert isinstance(caught.value, pmingest.PmStorageError)
    assert caught.value.message
    assert path.read_bytes() == garbage


def test_unwritable_path_cannot_open():
    with pytest.raises(pmingest.PmCannotOpenDatabase) as caught:
        pmingest.Database("/nonexistent-dir/x.db")
    assert isinstance(caught.value, pmingest.PmStorageError)


_LOCKER = textwrap.dedent(
    """
    import sqlite3, sys
    connection = sqlite3.connect(sys.argv[1], isolation_level=None)
    connection.execute("BEGIN EXCLUSIVE")
    print("locked", flush=True)
    sys.stdin.read()            # hold the lock until the test closes our stdin
    connection.execute("ROLLBACK")
    """
)


def test_locked_database_is_busy(tmp_path):
    path = tmp_path / "locked.db"
    database = pmingest.Database(pmingest.DatabaseConfig(str(path), busy_timeout_ms=100))
    trades = pmingest.TradeRepository(database)
    trades.upsert(make_trade())
    with subprocess.Popen(
        [sys.executable, "-c", _LOCKER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as locker:
        try:
            assert locker.stdout.readline().strip() == "locked"
            started = time.monotonic()
            with pytest.raises(pmingest.PmDatabaseBusy) as caught:
                trades.upsert(make_trade(size=Decimal("1")))
            elapsed = time.monotonic() - started
            assert isinstance(caught.value, pmingest.PmStorageError)
            assert elapsed < 1.0, f"busy_timeout_ms=100 took {elapsed:.2f}s"
        finally:
            locker.stdin.close()  # lets the locker roll back and exit
            locker.wait(timeout=10)
    assert trades.upsert(make_trade(size=Decimal("1")))  # the lock is gone: writes work again
    assert trades.count() == 2
    database.close()


def _damageable(path, batches=8):
    """A valid database of `batches` x 500 trades over four tokens; returns its page size."""
    with pmingest.Database(str(path)) as database:
        repo = pmingest.TradeRepository(database)
        for batch in range(batches):
            repo.upsert_many(
                make_trade(
                    token_id=f"9{batch % 4:076d}",
                    timestamp=T0 + timedelta(seconds=batch, milliseconds=n),
                    transaction_hash=f"0x{batch:08x}{n:056d}",
                )
                for n in range(500)
            )
    header = path.read_bytes()[:100]
    size = int.from_bytes(header[16:18], "big")
    return 65536 if size == 1 else size


def _scribble(path, start, end):
    """Overwrites bytes [start, end) with seeded noise; returns the damaged file's bytes."""
    data = bytearray(path.read_bytes())
    data[start:end] = random.Random(8817).randbytes(end - start)
    path.write_bytes(bytes(data))
    return bytes(data)


def test_damaged_pages_are_reported_and_left_untouched(tmp_path):
    path = tmp_path / "damaged.db"
    page = _damageable(path)
    pages = path.stat().st_size // page
    assert pages > 50
    damaged = _scribble(path, pages // 4 * page, pages * 3 // 4 * page)
    # header and schema intact: it opens; whatever reaches the damage is refused, clearly
    with pmingest.Database(str(path)) as database:
        repo = pmingest.TradeRepository(database)
        with pytest.raises(pmingest.PmDatabaseCorrupt, match="damaged|malformed"):
            repo.count()
        for index in range(4):
            with pytest.raises(pmingest.PmDatabaseCorrupt):
                repo.query(f"9{index:076d}")
        with pytest.raises(pmingest.PmDatabaseCorrupt):
            repo.upsert_many(make_trade(token_id=f"9{0:076d}", size=Decimal(n + 1)) for n in range(500))
    assert path.read_bytes() == damaged  # reported, not repaired, rewritten or truncated


def test_damaged_schema_page_is_refused_at_open_and_left_untouched(tmp_path):
    path = tmp_path / "damaged-schema.db"
    page = _damageable(path, batches=2)
    damaged = _scribble(path, 100, page)  # page 1 after the 100-byte header: the schema
    with pytest.raises(pmingest.PmDatabaseCorrupt, match="damaged-schema.db"):
        pmingest.Database(str(path))
    assert path.read_bytes() == damaged


_BATCH_WRITER = textwrap.dedent(
    """
    import sys
    from datetime import datetime, timedelta, timezone
    from decimal import Decimal
    import pmingest
    path, first = sys.argv[1], int(sys.argv[2])
    t0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
    with pmingest.Database(path) as database:
        repo = pmingest.TradeRepository(database)
        for batch in range(first, first + 200):
            assert repo.upsert_many(
                pmingest.PolymarketTrade(
                    token_id=f"9{batch:076d}", side="BUY", price=Decimal("0.5"), size=Decimal("12.5"),
                    timestamp=t0 + timedelta(seconds=batch, milliseconds=n),
                    transaction_hash=f"0x{batch:08x}{n:056d}")
                for n in range(500)) == 500
            print(batch, flush=True)   # committed
    """
)


def test_writer_killed_mid_batch_leaves_whole_batches(tmp_path):
    import os
    import signal
    import sqlite3

    seed = int(os.environ.get("PMTEST_SEED", time.time_ns() % 1_000_000))
    print(f"seed {seed} (PMTEST_SEED={seed} repeats this run)")
    rng = random.Random(seed)
    path = tmp_path / "crash.db"
    env = dict(os.environ, PYTHONPATH=os.path.dirname(pmingest.__path__[0]))  # this source tree
    on_disk = 0
    for _ in range(3):
        with subprocess.Popen(
            [sys.executable, "-c", _BATCH_WRITER, str(path), str(on_disk)], stdout=subprocess.PIPE, env=env, text=True
        ) as writer:
            reported = 0
            for _ in range(1 + rng.randrange(3)):
                assert writer.stdout.readline().strip() == str(on_disk + reported)
                reported += 1
            time.sleep(rng.random() * 0.03)  # somewhere inside the next batch (or its commit)
            writer.send_signal(signal.SIGKILL)
            assert writer.wait(timeout=10) == -signal.SIGKILL
            reported += len(writer.stdout.read().split())
        with pmingest.Database(str(path)) as database:  # opens (WAL recovery) and counts
            rows = pmingest.TradeRepository(database).count()
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert rows % 500 == 0  # whole batches only ...
            assert connection.execute(
                "SELECT count(*) FROM (SELECT token_id FROM trades GROUP BY token_id HAVING count(*) != 500)"
            ).fetchone() == (0,)  # ... each complete
        finally:
            connection.close()
        assert on_disk + reported <= rows // 500 <= on_disk + reported + 1  # every reported commit is there
        on_disk = rows // 500
    with pmingest.Database(str(path)) as database:  # the writer can continue
        repo = pmingest.TradeRepository(database)
        assert repo.upsert_many(make_trade(size=Decimal(n + 1)) for n in range(500)) == 500
        assert repo.count() == on_disk * 500 + 500


# ---------------------------------------------------------------------------------------------
# Opening: one new file by many processes, other applications' files, read-only files, schema 1
# ---------------------------------------------------------------------------------------------

_OPENER = textwrap.dedent(
    """
    import os, sys
    from datetime import datetime, timedelta, timezone
    from decimal import Decimal
    import pmingest
    directory, index, fds = sys.argv[1], int(sys.argv[2]), [int(fd) for fd in sys.argv[3:]]
    print("ready", flush=True)
    for round_, fd in enumerate(fds):
        os.read(fd, 1)  # b"" once the parent closes the write end: every opener goes at once
        try:
            with pmingest.Database(os.path.join(directory, f"race-{round_}.db")) as database:
                pmingest.TradeRepository(database).upsert(pmingest.PolymarketTrade(
                    token_id="123456", side="BUY", price=Decimal("0.5"), size=Decimal("10"),
                    timestamp=datetime(2026, 1, 1, tzinfo=timezone.utc) + timedelta(milliseconds=index),
                    transaction_hash=f"0x{index:064x}"))
            print("ok", flush=True)
        except pmingest.PmError as error:
            print(f"{type(error).__name__}: {error}", flush=True)
    """
)


def _child_env():
    import os

    return dict(os.environ, PYTHONPATH=os.path.dirname(pmingest.__path__[0]))  # this source tree


def test_processes_opening_one_new_file_at_once_all_succeed(tmp_path):
    import os
    import sqlite3

    rounds, openers = 15, 6
    pipes = [os.pipe() for _ in range(rounds)]
    readers = [reader for reader, _ in pipes]
    open_writers = {writer for _, writer in pipes}
    children = [
        subprocess.Popen(
            [sys.executable, "-c", _OPENER, str(tmp_path), str(index), *map(str, readers)],
            pass_fds=readers, stdout=subprocess.PIPE, text=True, env=_child_env(),
        )
        for index in range(openers)
    ]
    for reader in readers:
        os.close(reader)
    failures = []
    try:
        for child in children:
            assert child.stdout.readline().strip() == "ready"
        for round_, (_, writer) in enumerate(pipes):
            os.close(writer)  # releases every opener into this round
            open_writers.discard(writer)
            for child in children:
                line = child.stdout.readline().strip()
                if line != "ok":
                    failures.append(f"round {round_}: {line}")
            path = tmp_path / f"race-{round_}.db"
            with pmingest.Database(str(path)) as database:
                stored = pmingest.TradeRepository(database).count()
            if stored != openers:
                failures.append(f"round {round_}: {stored} of {openers} trades stored")
            connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                marks = connection.execute("PRAGMA application_id").fetchone() + connection.execute(
                    "PRAGMA user_version"
                ).fetchone()
            finally:
                connection.close()
            if marks[0] != 0x504D4947 or marks[1] < 2:
                failures.append(f"round {round_}: application_id, user_version = {marks}")
    finally:
        for writer in open_writers:  # a failed assertion must not leave the openers waiting
            os.close(writer)
        for child in children:
            child.stdout.close()
            child.wait(timeout=60)
    assert failures == []


def _sha256_file(path):
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def _assert_refused_untouched(path, match):
    before = _sha256_file(path)
    with pytest.raises(pmingest.PmDatabaseCorrupt, match=match) as caught:
        pmingest.Database(str(path))
    assert str(path) in caught.value.message
    assert _sha256_file(path) == before
    for suffix in ("-wal", "-shm", "-journal"):
        assert not path.with_name(path.name + suffix).exists()


def test_other_applications_sqlite_files_are_refused_untouched(tmp_path):
    import sqlite3

    def make(name, script):
        path = tmp_path / name
        connection = sqlite3.connect(path)
        connection.executescript(script)
        connection.commit()
        connection.close()
        return path

    contacts = make("contacts.db", "CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('Ada');")
    _assert_refused_untouched(contacts, "not a pmingest database")
    versioned = make("versioned.db", "CREATE TABLE notes (body TEXT); PRAGMA user_version = 3;")
    _assert_refused_untouched(versioned, "not a pmingest database")
    version_only = make("version-only.db", "PRAGMA user_version = 1;")  # once taken for schema 1
    _assert_refused_untouched(version_only, "not a pmingest database")
    hollow = make("hollow.db", "PRAGMA application_id = 1347242311; PRAGMA user_version = 1; CREATE TABLE x (y);")
    _assert_refused_untouched(hollow, "trades")
    empty = tmp_path / "empty.db"  # a 0-byte file is a new database
    empty.write_bytes(b"")
    with pmingest.Database(str(empty)) as database:
        assert pmingest.TradeRepository(database).count() == 0


_READ_ONLY_OPENER = textwrap.dedent(
    """
    import sys
    import pmingest
    try:
        pmingest.Database(sys.argv[1]).close()
        print("opened")
    except pmingest.PmError as error:
        print(type(error).__name__, error)
    """
)


def _world_executable(path):
    """True when any user may run `path`: it and every directory above it are o+x."""
    import os
    import stat

    path = os.path.realpath(path)
    while True:
        if not os.stat(path).st_mode & stat.S_IXOTH:
            return False
        parent = os.path.dirname(path)
        if parent == path:
            return True
        path = parent


def _open_unprivileged(path, reachable_dir):
    """Opens `path` in a child process; as an unprivileged user (65534) when we are root.

    That user may not reach this source tree or its library (a clone under /root, or in a
    private temporary directory), so it gets copies of both in `reachable_dir`."""
    import os
    import shutil

    python, drop, env = sys.executable, {}, _child_env()
    if os.geteuid() == 0:
        drop = {"user": 65534, "group": 65534, "extra_groups": []}
        # the test's interpreter may live where that user cannot reach (e.g. under /root)
        candidates = [sys.executable, shutil.which("python3") or "", "/usr/bin/python3"]
        usable = [c for c in candidates if c and os.path.exists(c) and _world_executable(c)]
        if not usable:
            pytest.skip("no Python interpreter an unprivileged user can run")
        python = usable[0]
        packages = os.path.join(reachable_dir, "site")
        if not os.path.exists(packages):
            shutil.copytree(pmingest.__path__[0], os.path.join(packages, "pmingest"),
                            ignore=shutil.ignore_patterns("__pycache__"))
            shutil.copy2(pmingest._ffi.library_path, os.path.join(packages, "libpmingest.so"))
            for root, dirs, files in os.walk(packages):
                os.chmod(root, 0o755)
                for name in files:
                    os.chmod(os.path.join(root, name), 0o644)
        env = dict(env, PYTHONPATH=packages,
                   PMINGEST_LIBRARY=os.path.join(packages, "libpmingest.so"))
    result = subprocess.run(
        [python, "-c", _READ_ONLY_OPENER, str(path)],
        capture_output=True, text=True, env=env, timeout=60, **drop,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_read_only_databases_are_refused_at_open():
    import os
    import shutil
    import tempfile

    base = tempfile.mkdtemp(prefix="pmingest-ro-")  # not tmp_path: its parents are private to us
    try:
        os.chmod(base, 0o755)
        # a file without write permission in a directory anyone may write
        open_dir = os.path.join(base, "open")
        os.mkdir(open_dir)
        os.chmod(open_dir, 0o777)
        path = os.path.join(open_dir, "trades.db")
        with pmingest.Database(path) as database:
            pmingest.TradeRepository(database).upsert(make_trade())
        os.chmod(path, 0o444)
        with open(path, "rb") as f:
            before = f.read()
        answer = _open_unprivileged(path, base)
        assert answer.startswith("PmCannotOpenDatabase") and "read-only" in answer, answer
        with open(path, "rb") as f:
            assert f.read() == before
        assert not os.path.exists(path + "-wal") and not os.path.exists(path + "-shm")

        # a writable file in a directory without write permission
        closed_dir = os.path.join(base, "closed")
        os.mkdir(closed_dir)
        os.chmod(closed_dir, 0o755)
        path = os.path.join(closed_dir, "trades.db")
        with pmingest.Database(path) as database:
            pmingest.TradeRepository(database).upsert(make_trade())
        if os.geteuid() == 0:
            os.chown(path, 65534, 65534)  # nobody's file in root's directory
        else:
            os.chmod(closed_dir, 0o555)
        answer = _open_unprivileged(path, base)
        assert answer.startswith("PmCannotOpenDatabase") and "read-only" in answer, answer
        assert not os.path.exists(path + "-wal") and not os.path.exists(path + "-shm")
        os.chmod(closed_dir, 0o755)
    finally:
        shutil.rmtree(base)


_SCHEMA_1 = """
CREATE TABLE trades (
    id               TEXT PRIMARY KEY,
    token_id         TEXT NOT NULL,
    condition_id     TEXT,
    side             TEXT NOT NULL CHECK (side IN ('BUY', 'SELL')),
    price_micros     INTEGER NOT NULL CHECK (price_micros >= 0),
    size_micros      INTEGER NOT NULL CHECK (size_micros >= 0),
    timestamp_ms     INTEGER NOT NULL,
    transaction_hash TEXT,
    proxy_wallet     TEXT,
    outcome          TEXT
);
CREATE INDEX trades_by_token_time ON trades (token_id, timestamp_ms);
CREATE TABLE trade_watermarks (
    condition_id  TEXT PRIMARY KEY,
    last_trade_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE token_meta (
    token_id              TEXT PRIMARY KEY,
    condition_id          TEXT NOT NULL,
    question              TEXT,
    outcome               TEXT,
    outcome_index         INTEGER,
    tick_size_micros      INTEGER,
    min_order_size_micros INTEGER,
    neg_risk              INTEGER NOT NULL,
    active                INTEGER NOT NULL,
    closed                INTEGER NOT NULL,
    end_date_ms           INTEGER,
    market_slug           TEXT,
    updated_at_ms         INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX token_meta_by_condition ON token_meta (condition_id);
PRAGMA application_id = 1347242311;
PRAGMA user_version = 1;
"""


def _micros(value):
    return int(Decimal(value) * 1_000_000)


def _schema_1_id(trade):
    """The schema-1 id: SHA-256 of the identifying fields joined by '|'."""
    import hashlib

    fields = [
        trade.transaction_hash or "", trade.token_id, trade.side.upper(), str(_micros(trade.size)),
        str(_micros(trade.price)), trade.proxy_wallet or "", str(_convert.to_ms(trade.timestamp, "t")),
    ]
    return hashlib.sha256(("pmtrade1|" + "|".join(fields)).encode()).hexdigest()


def test_schema_1_database_is_upgraded_and_knows_its_trades_again(tmp_path):
    import sqlite3

    path = tmp_path / "schema1.db"
    batch = [
        make_trade(
            size=Decimal(n + 1), side="SELL" if n % 2 else "BUY",
            transaction_hash=None if n % 10 == 0 else f"0x{n:064x}",
            proxy_wallet=None if n % 10 == 0 else "0x" + "34" * 20,
        )
        for n in range(3_000)
    ]
    connection = sqlite3.connect(path)
    connection.executescript(_SCHEMA_1)
    connection.execute("PRAGMA journal_mode = WAL")
    with connection:
        connection.executemany(
            "INSERT INTO trades VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (_schema_1_id(t), t.token_id, t.condition_id, t.side, _micros(t.price), _micros(t.size),
                 _convert.to_ms(t.timestamp, "t"), t.transaction_hash, t.proxy_wallet, t.outcome)
                for t in batch
            ],
        )
    connection.close()
    with pmingest.Database(str(path)) as database:
        repo = pmingest.TradeRepository(database)
        assert repo.count() == 3_000
        assert repo.upsert_many(batch) == 0  # re-fetched after the upgrade: nothing new
        assert repo.count() == 3_000
        upgraded_ids = {t.id for t in repo.query(TOKEN)}
    with pmingest.Database() as fresh:
        pmingest.TradeRepository(fresh).upsert_many(batch)
        assert upgraded_ids == {t.id for t in pmingest.TradeRepository(fresh).query(TOKEN)}
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        assert connection.execute("PRAGMA user_version").fetchone()[0] >= 2
    finally:
        connection.close()


def test_trades_whose_fields_contain_the_separator_are_both_stored(trades):
    # joined by a bare '|' the two read the same, and the second was dropped as a duplicate
    a = make_trade(token_id="123456", size=Decimal(10), price=Decimal("0.5"), side="BUY",
                   transaction_hash="0xt", proxy_wallet="0xw|123456|BUY|10000000|500000|0xw")
    b = make_trade(token_id="123456", size=Decimal(10), price=Decimal("0.5"), side="BUY",
                   transaction_hash="0xt|123456|BUY|10000000|500000|0xw", proxy_wallet="0xw")
    assert _schema_1_id(a) == _schema_1_id(b)  # the premise
    assert trades.upsert_many([a, b]) == 2
    assert trades.count("123456") == 2
    assert len({t.id for t in trades.query("123456")}) == 2


# ---------------------------------------------------------------------------------------------
# Trades
# ---------------------------------------------------------------------------------------------


def test_upsert_and_query_round_trip_every_field(trades):
    trade = make_trade()
    assert trades.upsert(trade) is True
    [result] = trades.query(TOKEN)
    assert stored(trade, result)
    assert isinstance(result.price, Decimal) and isinstance(result.size, Decimal)
    assert result.timestamp.tzinfo is not None and result.timestamp.utcoffset() == timedelta(0)


def test_optional_fields_read_back_as_none(trades):
    trade = pmingest.PolymarketTrade(TOKEN, "SELL", Decimal("0.05"), Decimal("10"), T0)
    assert trades.upsert(trade)
    [result] = trades.query(TOKEN)
    assert stored(trade, result)
    assert result.condition_id is None and result.outcome is None


def test_same_trade_twice_keeps_one_row(trades):
    trade = make_trade()
    assert trades.upsert(trade) is True
    assert trades.upsert(trade) is False
    assert trades.upsert(dataclasses.replace(trade, id="ignored on writes")) is False
    assert trades.count() == 1
    [first] = trades.query(TOKEN)
    assert trades.upsert(make_trade(size=Decimal("84.18"))) is True
    assert trades.count() == 2
    assert first.id in {trade.id for trade in trades.query(TOKEN)}


def test_prices_are_exact(trades):
    trade = make_trade(price=Decimal("0.999999"), size=Decimal("1218691.83"))
    trades.upsert(trade)
    [result] = trades.query(TOKEN)
    assert result.size == Decimal("1218691.83") and str(result.size) == "1218691.83"
    assert result.price == Decimal("0.999999")


def test_price_with_more_than_six_fraction_digits_is_rejected(trades):
    with pytest.raises(pmingest.PmInvalidArgument, match="fraction digits"):
        trades.upsert(make_trade(price=Decimal("0.30000000000000004")))
    with pytest.raises(pmingest.PmInvalidArgument):
        trades.upsert(make_trade(size=Decimal("1.0000001")))
    with pytest.raises(pmingest.PmParseError):  # a str is validated by the library
        trades.upsert(make_trade(price="0.30000000000000004"))
    assert trades.count() == 0


def test_float_money_is_a_type_error(trades):
    with pytest.raises(TypeError, match="float"):
        trades.upsert(make_trade(price=0.95))
    with pytest.raises(TypeError):
        trades.upsert(make_trade(size=10.0))
    with pytest.raises(TypeError):
        trades.upsert(make_trade(price=True))
    assert trades.count() == 0


def test_non_finite_decimals_are_rejected(trades):
    for special in ("NaN", "Infinity", "sNaN"):
        with pytest.raises(pmingest.PmInvalidArgument):
            trades.upsert(make_trade(price=Decimal(special)))


def test_equivalent_decimal_spellings_are_one_trade(trades):
    assert trades.upsert(make_trade(price=Decimal("0.95"), size=Decimal("100")))
    assert not trades.upsert(make_trade(price=Decimal("0.950000000"), size=Decimal("1E+2")))
    assert not trades.upsert(make_trade(price=".95", size="100.0"))
    assert not trades.upsert(make_trade(price=Decimal("0.95"), size=100))
    [result] = trades.query(TOKEN)
    assert (str(result.price), str(result.size)) == ("0.95", "100")


def test_negative_price_is_rejected(trades):
    with pytest.raises(pmingest.PmError):
        trades.upsert(make_trade(price=Decimal("-0.5")))
    assert trades.count() == 0


def test_strings_must_be_str(trades):
    with pytest.raises(TypeError, match="token_id"):
        trades.upsert(make_trade(token_id=int(TOKEN)))  # token ids are text, never ints
    with pytest.raises(TypeError):
        trades.upsert(make_trade(side=b"BUY"))
    with pytest.raises(TypeError):
        trades.upsert(make_trade(outcome=1))
    with pytest.raises(TypeError):
        trades.upsert("not a trade")  # type: ignore[arg-type]
    assert trades.count() == 0


def test_unencodable_and_nul_strings(trades):
    with pytest.raises(pmingest.PmInvalidUTF8):
        trades.upsert(make_trade(token_id="12\ud800"))  # lone surrogate: no UTF-8 exists
    with pytest.raises(pmingest.PmInvalidArgument, match="NUL"):
        trades.upsert(make_trade(token_id="12\x0034"))  # C would silently cut it at the NUL
    with pytest.raises(pmingest.PmInvalidUTF8):
        trades.count("\udcff")
    assert trades.count() == 0


def test_library_validation_names_the_field(trades):
    with pytest.raises(pmingest.PmInvalidArgument, match="side"):
        trades.upsert(make_trade(side="HOLD"))
    with pytest.raises(pmingest.PmInvalidArgument, match="token_id"):
        trades.upsert(make_trade(token_id=""))
    assert trades.upsert(make_trade(side="sell"))  # any case
    assert trades.query(TOKEN)[0].side == "SELL"


def test_timestamps_naive_rejected_aware_converted_exactly(trades):
    with pytest.raises(ValueError, match="naive"):
        trades.upsert(make_trade(timestamp=datetime(2025, 1, 1)))
    with pytest.raises(TypeError):
        trades.upsert(make_trade(timestamp=1735689600000))
    plus_two = timezone(timedelta(hours=2))
    trade = make_trade(timestamp=T0.astimezone(plus_two))
    assert trades.upsert(trade)
    assert not trades.upsert(make_trade(timestamp=T0))  # same instant, same trade
    [result] = trades.query(TOKEN)
    assert result.timestamp == T0 and result.timestamp.tzinfo == UTC


def test_timestamps_keep_milliseconds(trades):
    trades.upsert(make_trade(timestamp=T0 + timedelta(microseconds=999)))
    [result] = trades.query(TOKEN)
    assert result.timestamp == T0  # stored with ms precision; sub-ms dropped, not rounded up
    assert result.timestamp.microsecond == 123000


def test_ms_conversion_is_integer_exact():
    rng = random.Random(7)
    for _ in range(2000):
        ms = rng.randrange(1, 253402300799999)  # up to 9999-12-31T23:59:59.999Z
        moment = _convert.from_ms(ms)
        assert _convert.to_ms(moment, "t") == ms
        assert calendar.timegm(moment.utctimetuple()) * 1000 + moment.microsecond // 1000 == ms
    late = datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
    assert _convert.to_ms(late, "t") == 253402300799999
    assert _convert.to_ms(late, "t", round_up=True) == 253402300800000
    assert _convert.to_ms(datetime(1969, 12, 31, 23, 59, 59, 999500, tzinfo=UTC), "t") == -1


def test_timestamp_before_the_epoch_is_rejected_by_the_library(trades):
    with pytest.raises(pmingest.PmInvalidArgument):
        trades.upsert(make_trade(timestamp=datetime(1960, 1, 1, tzinfo=UTC)))


def test_upsert_many_counts_new_rows(trades):
    batch = [make_trade(size=Decimal(n)) for n in range(1, 6)]
    assert trades.upsert_many(batch) == 5
    assert trades.upsert_many(batch + [make_trade(size=Decimal(6))]) == 1
    assert trades.upsert_many(trade for trade in batch) == 0  # any iterable
    assert trades.upsert_many([]) == 0
    assert trades.count() == 6


def test_upsert_many_stores_every_row_it_counts(trades):
    batch = [make_trade(size=Decimal(n)) for n in range(1, 20_001)]
    assert trades.upsert_many(batch) == 20_000
    assert trades.count() == 20_000
    assert trades.upsert_many(batch) == 0  # all of them really are there
    assert trades.count() == 20_000


def test_c_upserts_without_a_count_pointer_still_store(db, trades):
    """The header lets out_inserted be NULL: the rows must be written all the same."""
    import ctypes

    from pmingest import _ffi, storage

    keep: list = []
    batch = [make_trade(size=Decimal(n)) for n in range(1, 1_001)]
    array = (_ffi.TradeInput * len(batch))()
    for index, trade in enumerate(batch):
        storage._fill_trade_input(array[index], trade, keep, f"trades[{index}]")
    single = _ffi.TradeInput()
    storage._fill_trade_input(single, make_trade(size=Decimal(5_000)), keep, "trade")
    with db._use() as store:
        _ffi.pm_store_upsert_trades(store, array, len(batch), None)
        _ffi.pm_store_upsert_trade(store, ctypes.byref(single), None)
    assert trades.count() == 1_001
    assert trades.upsert_many(batch) == 0


def test_upsert_many_with_duplicates_inside_the_batch(trades):
    trade = make_trade()
    assert trades.upsert_many([trade, trade, trade]) == 1
    assert trades.count() == 1


def test_upsert_many_is_all_or_nothing(trades):
    trades.upsert(make_trade(size=Decimal(100)))
    good = [make_trade(size=Decimal(n)) for n in range(1, 4)]
    # detected by the library: the whole batch fails and the message names the row
    with pytest.raises(pmingest.PmInvalidArgument, match="1"):
        trades.upsert_many([good[0], make_trade(side="HOLD"), good[2]])
    assert trades.count() == 1
    with pytest.raises(pmingest.PmParseError):
        trades.upsert_many(good + [make_trade(price="abc")])
    assert trades.count() == 1
    # detected by the binding before any call
    with pytest.raises(TypeError, match=r"trades\[3\]\.price"):
        trades.upsert_many(good + [make_trade(price=0.5)])
    with pytest.raises(pmingest.PmInvalidArgument, match=r"trades\[0\]"):
        trades.upsert_many([make_trade(price=Decimal("0.30000000000000004"))] + good)
    with pytest.raises(ValueError, match="naive"):
        trades.upsert_many(good + [make_trade(timestamp=datetime(2025, 1, 1))])
    assert trades.count() == 1
    assert trades.upsert_many(good) == 3


def test_query_order_bounds_and_limit(trades):
    moments = [T0 + timedelta(seconds=10 * n) for n in range(5)]
    shuffled = [
        make_trade(timestamp=moment, size=Decimal(n + 1)) for n, moment in enumerate(moments)
    ]
    random.Random(3).shuffle(shuffled)
    trades.upsert_many(shuffled)
    trades.upsert(make_trade(token_id=OTHER_TOKEN))

    assert [trade.timestamp for trade in trades.query(TOKEN)] == moments  # oldest first
    assert [t.timestamp for t in trades.query(TOKEN, start=moments[1], end=moments[3])] == moments[
        1:4
    ]
    assert [t.timestamp for t in trades.query(TOKEN, start=moments[3])] == moments[3:]
    assert [t.timestamp for t in trades.query(TOKEN, end=moments[0])] == moments[:1]
    assert [t.timestamp for t in trades.query(TOKEN, limit=2)] == moments[:2]
    assert [t.timestamp for t in trades.query(TOKEN, start=moments[2], limit=1)] == moments[2:3]
    assert trades.query(TOKEN, limit=0) == []
    # sub-millisecond bounds: start rounds up, end rounds down
    assert trades.query(TOKEN, start=moments[4] + timedelta(microseconds=1)) == []
    assert len(trades.query(TOKEN, end=moments[0] + timedelta(microseconds=999))) == 1
    assert [t.token_id for t in trades.query(OTHER_TOKEN)] == [OTHER_TOKEN]
    assert trades.query("123") == []


def test_query_rejects_bad_arguments(trades):
    with pytest.raises(pmingest.PmInvalidArgument):
        trades.query(TOKEN, start=T0, end=T0 - timedelta(seconds=1))
    with pytest.raises(ValueError, match="naive"):
        trades.query(TOKEN, start=datetime(2025, 1, 1))
    with pytest.raises(pmingest.PmInvalidArgument):
        trades.query(TOKEN, limit=-1)
    with pytest.raises(TypeError):
        trades.query(TOKEN, limit=1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        trades.query(int(TOKEN))  # type: ignore[arg-type]
    with pytest.raises(pmingest.PmInvalidArgument):
        trades.query("")


def test_count(trades):
    assert trades.count() == 0
    trades.upsert_many([make_trade(size=Decimal(n)) for n in range(1, 4)])
    trades.upsert(make_trade(token_id=OTHER_TOKEN))
    assert trades.count() == 4
    assert trades.count(None) == 4
    assert trades.count(TOKEN) == 3
    assert trades.count(OTHER_TOKEN) == 1
    assert trades.count("123") == 0


# ---------------------------------------------------------------------------------------------
# Watermarks
# ---------------------------------------------------------------------------------------------


def test_watermark_get_and_update(watermarks):
    assert watermarks.get(CONDITION) is None
    before = datetime.now(UTC) - timedelta(seconds=5)
    mark = watermarks.update(CONDITION, T0)
    assert isinstance(mark, pmingest.TradeWatermark)
    assert mark.condition_id == CONDITION
    assert mark.last_trade_timestamp == T0 and mark.last_trade_timestamp.tzinfo is not None
    assert mark.updated_at.tzinfo is not None and mark.updated_at >= before
    assert watermarks.get(CONDITION) == mark
    assert watermarks.get("0x" + "cd" * 32) is None


def test_watermark_never_moves_backwards(watermarks):
    later = T0 + timedelta(minutes=5)
    watermarks.update(CONDITION, later)
    kept = watermarks.update(CONDITION, T0)
    assert kept.last_trade_timestamp == later
    assert watermarks.get(CONDITION).last_trade_timestamp == later
    forward = watermarks.update(CONDITION, later + timedelta(milliseconds=1))
    assert forward.last_trade_timestamp == later + timedelta(milliseconds=1)


def test_watermark_bad_input(watermarks):
    with pytest.raises(ValueError, match="naive"):
        watermarks.update(CONDITION, datetime(2025, 1, 1))
    with pytest.raises(pmingest.PmInvalidArgument):
        watermarks.update("", T0)
    with pytest.raises(pmingest.PmInvalidArgument):
        watermarks.update(CONDITION, datetime(1969, 1, 1, tzinfo=UTC))
    with pytest.raises(TypeError):
        watermarks.get(None)  # type: ignore[arg-type]
    assert watermarks.get(CONDITION) is None


# ---------------------------------------------------------------------------------------------
# Token metadata
# ---------------------------------------------------------------------------------------------


def full_meta(**changes) -> pmingest.PolymarketTokenMeta:
    meta = pmingest.PolymarketTokenMeta(
        token_id=TOKEN,
        condition_id=CONDITION,
        question="Will it rain in Paris on 1 May?",
        outcome="Yes",
        outcome_index=0,
        tick_size=Decimal("0.001"),
        min_order_size=Decimal("5"),
        neg_risk=True,
        active=True,
        closed=False,
        end_date=datetime(2025, 5, 1, 12, 0, tzinfo=UTC),
        market_slug="rain-in-paris-may-1",
    )
    return dataclasses.replace(meta, **changes)


def test_token_meta_inserted_updated_unchanged(metas):
    meta = full_meta()
    assert metas.upsert(meta) == "inserted"
    assert metas.upsert(meta) == "unchanged"
    assert metas.upsert(dataclasses.replace(meta, updated_at=T0)) == "unchanged"  # read-only field
    assert metas.upsert(dataclasses.replace(meta, closed=True, active=False)) == "updated"
    assert metas.upsert(dataclasses.replace(meta, closed=True, active=False)) == "unchanged"
    assert metas.upsert(dataclasses.replace(meta, tick_size=Decimal("0.01"))) == "updated"
    assert metas.upsert(dataclasses.replace(meta, tick_size=Decimal("0.0100"))) == "unchanged"


def test_token_meta_round_trip(metas):
    meta = full_meta()
    metas.upsert(meta)
    result = metas.get(TOKEN)
    assert dataclasses.replace(result, updated_at=None) == meta
    assert result.updated_at is not None and result.updated_at.tzinfo is not None
    assert result.end_date.tzinfo is not None
    assert metas.get(OTHER_TOKEN) is None


def test_token_meta_defaults_round_trip(metas):
    meta = pmingest.PolymarketTokenMeta(TOKEN, CONDITION)
    assert metas.upsert(meta) == "inserted"
    result = metas.get(TOKEN)
    assert dataclasses.replace(result, updated_at=None) == meta
    assert result.outcome_index is None and result.tick_size is None and result.end_date is None


def test_token_meta_list_order(metas):
    assert metas.list() == []
    second_condition = "0x" + "ff" * 32
    metas.upsert(full_meta(token_id="3", condition_id=second_condition, outcome_index=0))
    metas.upsert(full_meta(token_id="2", outcome="No", outcome_index=1))
    metas.upsert(full_meta(token_id="1", outcome_index=0))
    listed = metas.list()
    assert [(m.condition_id, m.outcome_index, m.token_id) for m in listed] == [
        (CONDITION, 0, "1"),
        (CONDITION, 1, "2"),
        (second_condition, 0, "3"),
    ]
    assert all(isinstance(m, pmingest.PolymarketTokenMeta) for m in listed)


def test_token_meta_bad_input(metas):
    with pytest.raises(TypeError):
        metas.upsert(full_meta(tick_size=0.01))
    with pytest.raises(pmingest.PmInvalidArgument):
        metas.upsert(full_meta(tick_size=Decimal("0.0000001")))
    with pytest.raises(TypeError):
        metas.upsert(full_meta(neg_risk=1))
    with pytest.raises(TypeError):
        metas.upsert(full_meta(outcome_index="0"))
    with pytest.raises(pmingest.PmInvalidArgument):
        metas.upsert(full_meta(outcome_index=2**31))
    with pytest.raises(ValueError, match="naive"):
        metas.upsert(full_meta(end_date=datetime(2025, 5, 1)))
    with pytest.raises(pmingest.PmInvalidArgument):
        metas.upsert(full_meta(condition_id=""))
    with pytest.raises(TypeError):
        metas.upsert(make_trade())  # type: ignore[arg-type]
    assert metas.list() == []


# ---------------------------------------------------------------------------------------------
# Threads
# ---------------------------------------------------------------------------------------------


def _run_threads(target, count):
    failures = []

    def guarded(index):
        try:
            target(index)
        except BaseException as error:  # surface failures in the test thread
            failures.append(error)

    threads = [threading.Thread(target=guarded, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    if failures:
        raise failures[0]


def test_four_threads_upserting_into_one_database(tmp_path):
    with pmingest.Database(tmp_path / "threads.db") as database:
        trades = pmingest.TradeRepository(database)
        shared = [make_trade(size=Decimal(f"7.{n}")) for n in range(10)]  # 7.0 ... 7.9

        def work(index):
            for n in range(50):
                trade = make_trade(size=Decimal(1000 * (index + 1) + n))
                assert trades.upsert(trade) is True
                if n % 5 == 0:
                    trades.upsert(shared[n // 5])
            trades.upsert_many([make_trade(size=Decimal(f"{index + 1}.5"))] + shared)
            trades.count(TOKEN)

        _run_threads(work, 4)
        assert trades.count() == 4 * 50 + 10 + 4
        assert len(trades.query(TOKEN)) == 214


def test_errors_in_threads_carry_their_own_message(db, trades):
    cases = [
        (dict(side="HOLD"), pmingest.PmInvalidArgument, "side"),
        (dict(token_id=""), pmingest.PmInvalidArgument, "token_id"),
        (dict(price="abc"), pmingest.PmParseError, "price"),
        (dict(size="1e5"), pmingest.PmParseError, "size"),
    ]

    def work(index):
        changes, error_class, field = cases[index]
        for _ in range(100):
            with pytest.raises(error_class) as caught:
                trades.upsert(make_trade(**changes))
            assert field in caught.value.message, caught.value.message
            trades.upsert(make_trade(size=Decimal(index + 1)))  # successes in between

    _run_threads(work, len(cases))
    assert trades.count() == len(cases)


def test_close_while_other_threads_use_the_database():
    database = pmingest.Database()
    trades = pmingest.TradeRepository(database)
    stop = threading.Event()
    outcomes = []

    def work(index):
        n = 0
        while not stop.is_set():
            n += 1
            try:
                trades.upsert(make_trade(size=Decimal(index * 100000 + n)))
            except ValueError:
                outcomes.append("closed")
                return

    threads = [threading.Thread(target=work, args=(index,)) for index in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(0.2)
    database.close()  # waits for calls in flight, then frees the store
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    assert outcomes == ["closed"] * 4


@pytest.mark.parametrize("token", ["..", "tok1", "12a", "1" * 79])
def test_store_lookups_refuse_malformed_token_ids(token):
    # "Nothing stored" would hide the caller's typo: a malformed id is an error.
    with pmingest.Database(":memory:") as db:
        with pytest.raises(pmingest.PmInvalidArgument, match="token_id"):
            pmingest.TradeRepository(db).query(token)
        with pytest.raises(pmingest.PmInvalidArgument, match="token_id"):
            pmingest.TradeRepository(db).count(token)
        with pytest.raises(pmingest.PmInvalidArgument, match="token_id"):
            pmingest.TokenMetaRepository(db).get(token)
