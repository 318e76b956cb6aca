#!/usr/bin/env python3
"""python_executemany.py — the Python baseline of trade storage: stdlib sqlite3, executemany.

    python3 bench/python_executemany.py [rows=100000] [runs=5] [schema=bench/trades_schema.sql]

Same schema file and the same rows as sqlite_raw.c / c_abi.c (bench_data.h is re-implemented
here: keep the two in step). Runs the DDL on a fresh database, then one executemany() of every
row inside one transaction. Databases: ":memory:" and a temp file (WAL, synchronous=NORMAL).
Only the executemany + commit is timed. Prints the best of `runs`:
    rows_per_s python_sqlite3_executemany_memory <n>
    rows_per_s python_sqlite3_executemany_file <n>

This is the figure a Python-binding storage benchmark (bench/python_binding_store.py, see
run_storage.sh) is compared with.
"""
import os
import sqlite3
import sys
import tempfile
import time

M64 = (1 << 64) - 1


def mix(x: int) -> int:
    """splitmix64 finaliser, as bench_mix() in bench_data.h."""
    x = (x + 0x9E3779B97F4A7C15) & M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & M64
    return x ^ (x >> 31)


def hexdigits(seed: int, n: int) -> str:
    out = []
    x = 0
    for i in range(n):
        if i % 16 == 0:
            x = mix((seed + i) & M64)
        out.append("0123456789abcdef"[x & 15])
        x >>= 4
    return "".join(out)


def make_row(i: int) -> tuple:
    market = i % 50
    row_id = hexdigits(0x1D00000000 + i * 16, 64)
    token_id = "71321045679252212594626385532706912750332728571942532289631379312455583%06d" % (100000 + market)
    condition_id = "0x" + hexdigits(0xC0000000 + market * 16, 64)
    side = "SELL" if i % 2 else "BUY"
    price_micros = 10000 + (i * 7919) % 980000
    size_micros = 1000000 + (i * 104729) % 5000000000
    timestamp_ms = 1700000000000 + i * 37
    tx = "0x" + hexdigits(0x7A00000000 + i * 16, 64)
    wallet = "0x" + hexdigits(0xA11E700000 + (i % 1000) * 16, 40)
    outcome = "No" if i % 2 else "Yes"
    return (row_id, token_id, condition_id, side, price_micros, size_micros, timestamp_ms, tx, wallet, outcome)


def split_schema(sql: str):
    """DDL statements, and the one statement with parameters (the upsert)."""
    ddl, upsert, buf = [], None, ""
    for line in sql.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            stmt = buf.strip()
            buf = ""
            body = "\n".join(l for l in stmt.splitlines() if not l.strip().startswith("--")).strip()
            if not body:
                continue
            if "?" in body:
                if upsert is not None:
                    sys.exit("python_executemany: more than one statement with parameters")
                upsert = body
            else:
                ddl.append(body)
    if upsert is None:
        sys.exit("python_executemany: no upsert statement in the schema")
    return ddl, upsert


def run_once(path: str, ddl, upsert: str, rows) -> float:
    con = sqlite3.connect(path, isolation_level=None)  # explicit transactions
    if path != ":memory:":
        con.execute("PRAGMA journal_mode = WAL")
        con.execute("PRAGMA synchronous = NORMAL")
    for stmt in ddl:
        con.execute(stmt)
    t0 = time.perf_counter()
    con.execute("BEGIN")
    con.executemany(upsert, rows)
    con.execute("COMMIT")
    dt = time.perf_counter() - t0
    (count,) = con.execute("SELECT count(*) FROM trades").fetchone()
    con.close()
    if count != len(rows):
        sys.exit("python_executemany: expected %d rows, found %d" % (len(rows), count))
    return len(rows) / dt


def remove_db(path: str) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            os.unlink(path + suffix)
        except FileNotFoundError:
            pass


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    schema = sys.argv[3] if len(sys.argv) > 3 else "bench/trades_schema.sql"
    with open(schema, encoding="utf-8") as f:
        ddl, upsert = split_schema(f.read())
    rows = [make_row(i) for i in range(n)]
    with tempfile.TemporaryDirectory(prefix="pmingest-bench-py.") as d:
        path = os.path.join(d, "py.db")
        for name, target in (("python_sqlite3_executemany_memory", ":memory:"),
                             ("python_sqlite3_executemany_file", path)):
            best = 0.0
            for _ in range(runs):
                if target != ":memory:":
                    remove_db(target)
                best = max(best, run_once(target, ddl, upsert, rows))
            print("rows_per_s %s %.0f" % (name, best), flush=True)


if __name__ == "__main__":
    main()
