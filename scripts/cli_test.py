#!/usr/bin/env python3
"""The CLI as pipes and services meet it, against the fake Polymarket (run by cli-test.sh).

Every command runs with stdout piped (not a terminal): no carriage return or escape sequence may
reach the pipe, and --json output must be NDJSON (one JSON object per line). `record` runs from
a --config file with a metrics file (Prometheus text format, rewritten atomically) and stops
cleanly on SIGTERM, as under systemd. One run on a pseudo-terminal checks that progress still
shows where a human watches.

Usage: cli_test.py PATH/TO/pmingest   (PMINGEST_*_URL from with-fake-polymarket.sh)
"""
from __future__ import annotations

import json
import os
import pty
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List

cli = sys.argv[1]
work = Path(tempfile.mkdtemp(prefix="pmingest-cli-test."))
checks = 0


def fail(message: str) -> None:
    print(f"cli-test: FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def run(*args: str, expect: int = 0, timeout: float = 60) -> str:
    """Runs the CLI with stdout and stderr piped; returns stdout after checking it is pipe-clean."""
    global checks
    done = subprocess.run([cli, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    out = done.stdout.decode()
    if done.returncode != expect:
        fail(f"pmingest {' '.join(args)}: exit {done.returncode}, expected {expect}\n{out}{done.stderr.decode()}")
    clean(f"pmingest {' '.join(args)}", out)
    checks += 1
    return out


def clean(what: str, out: str) -> None:
    for bad, name in (("\r", "carriage return"), ("\x1b", "escape sequence")):
        if bad in out:
            fail(f"{what}: a {name} on a piped stdout: {out[:300]!r}")


def ndjson(what: str, out: str, allow_empty: bool = False) -> List[Dict[str, Any]]:
    lines = out.splitlines()
    if not lines and not allow_empty:
        fail(f"{what}: no output")
    objects = []
    for line in lines:
        try:
            value = json.loads(line)
        except ValueError as error:
            fail(f"{what}: not one JSON object per line ({error}): {line[:200]!r}")
        if not isinstance(value, dict):
            fail(f"{what}: a line is not a JSON object: {line[:200]!r}")
        objects.append(value)
    return objects


def metrics(path: Path) -> Dict[str, float]:
    values: Dict[str, float] = {}
    for line in path.read_text().splitlines():
        if not line or line.startswith("#"):
            continue
        name, value = line.split(" ")
        values[name] = float(value)
    return values


# --- read-only commands: NDJSON -------------------------------------------------------------
markets = ndjson("markets --json", run("markets", "--json"))
tokens = [t["token_id"] for m in markets for t in m["tokens"]]
if len(markets) < 2 or not tokens:
    fail(f"markets --json: expected several markets with tokens, got {markets}")
ndjson("events --json", run("events", "--json"), allow_empty=True)  # the preset may have none
[book] = ndjson("book --json", run("book", tokens[0], "--json"))
if book["token_id"] != tokens[0]:
    fail(f"book --json: {book}")
ndjson("trades --json", run("trades", tokens[0], "--json", "--max-age", "100000000"))
run("markets")  # the table, piped
[check] = ndjson("verify --json", run("verify", tokens[0], "0.95", "--json", expect=3))
if check["is_valid"] is not False:
    fail(f"verify --json: {check}")
demo = ndjson("demo --json", run("demo", "--db", str(work / "demo.db"), "--seconds", "2", "--json"))
if demo[0]["type"] != "sync" or demo[-1]["type"] != "summary":
    fail(f"demo --json: {demo}")

# --- sync and backfill: no progress on a pipe -------------------------------------------------
db = work / "store.db"
out = run("sync", "--db", str(db))
if not out.startswith("synced ") or out.count("\n") != 1:
    fail(f"sync on a pipe: expected one plain summary line, got {out!r}")
[summary] = ndjson("sync --json", run("sync", "--db", str(db), "--json"))
if summary["type"] != "sync" or summary["markets"] != len(markets):
    fail(f"sync --json: {summary}")
for meta in ndjson("store meta --json", run("store", "meta", "--db", str(db), "--json")):
    if "token_id" not in meta:
        fail(f"store meta --json: {meta}")
pages = ndjson("backfill --json", run("backfill", "--db", str(db), "--json", "--market", markets[0]["condition_id"]))
if pages[-1]["type"] != "backfill" or any(p["type"] != "backfill_page" for p in pages[:-1]):
    fail(f"backfill --json: {pages}")
run("backfill", "--db", str(db), "--market", markets[0]["condition_id"])

# --- stream: plain lines on a pipe, NDJSON events with --json ---------------------------------
out = run("stream", *tokens, "--seconds", "3")
if " price 0.52 size 120*\n" not in out or not out.splitlines()[-1].endswith("sizes back-filled (G3)"):
    fail(f"stream on a pipe: expected plain lines per price update (0.52 back-filled to 120) and a summary: {out!r}")
events = ndjson("stream --json", run("stream", *tokens, "--seconds", "3", "--json"))
kinds = {e["type"] for e in events}
if not {"book", "last_trade_price", "sized_price_update", "summary"} <= kinds:
    fail(f"stream --json: expected book, last_trade_price, sized_price_update and summary lines, got {sorted(kinds)}")
if not any(e["type"] == "sized_price_update" and e["size_source"] == "rest_backfill" for e in events):
    fail(f"stream --json: no size back-filled over REST (G3): {events}")

# --- record: --config, NDJSON, metrics file -------------------------------------------------
record_db = work / "record.db"
metrics_path = work / "metrics.prom"
config = work / "record.json"
config.write_text(json.dumps({"tokens": tokens, "db": str(record_db), "ws_url": os.environ["PMINGEST_WS_URL"],
                              "metrics_file": str(metrics_path)}))
events = ndjson("record --json", run("record", "--config", str(config), "--seconds", "3", "--json",
                                     "--metrics-interval", "1"))
if events[-1]["type"] != "summary" or not any(e["type"] == "last_trade_price" for e in events):
    fail(f"record --json: {events}")
stored = int(run("store", "count", "--db", str(record_db)).strip())
if stored < 1 or events[-1]["trades_stored"] != stored:
    fail(f"record: {stored} trades in the database, summary says {events[-1]}")
[count] = ndjson("store count --json", run("store", "count", "--db", str(record_db), "--json"))
if count != {"type": "count", "trades": stored}:
    fail(f"store count --json: {count}")
[mark] = ndjson("store watermark --json", run("store", "watermark", "--db", str(db), markets[0]["condition_id"], "--json"))
if mark.get("type") != "watermark":
    fail(f"store watermark --json: {mark}")
m = metrics(metrics_path)
for name in ("pmingest_record_events_total", "pmingest_record_trades_stored_total", "pmingest_record_reconnects_total",
             "pmingest_record_gaps_total", "pmingest_record_last_event_age_seconds"):
    if name not in m:
        fail(f"metrics file lacks {name}: {metrics_path.read_text()}")
if m["pmingest_record_trades_stored_total"] != stored or m["pmingest_record_events_total"] < len(events) - 1:
    fail(f"metrics file disagrees with the run: {m}, {stored} stored, {len(events) - 1} events")
if list(work.glob("metrics.prom.tmp*")):
    fail("a temporary metrics file was left behind")

# Plain record on a pipe: no progress, one summary line. A bad config is a usage error (64).
out = run("record", "--config", str(config), "--seconds", "2")
if not (out.startswith("recorded ") and out.endswith(f" trades into {record_db}\n") and out.count("\n") == 1):
    fail(f"record on a pipe: expected one plain summary line, got {out!r}")
bad = work / "bad.json"
bad.write_text('{"tokens": ["1"], "dbfile": "x"}')
run("record", "--config", str(bad), "--seconds", "1", expect=64)

# As a service: no --seconds, metrics rewritten every second, SIGTERM stops it cleanly.
metrics_path.unlink()
service = subprocess.Popen([cli, "record", "--config", str(config), "--metrics-interval", "1"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
deadline = time.monotonic() + 20
while not metrics_path.exists() and time.monotonic() < deadline:
    time.sleep(0.1)
if not metrics_path.exists():
    service.kill()
    fail("record as a service wrote no metrics file")
first = metrics_path.stat().st_mtime_ns
time.sleep(2.5)
if metrics_path.stat().st_mtime_ns == first:
    service.kill()
    fail("the metrics file was not rewritten")
service.send_signal(signal.SIGTERM)
out_bytes, err_bytes = service.communicate(timeout=20)
if service.returncode != 0:
    fail(f"record after SIGTERM: exit {service.returncode}: {err_bytes.decode()}")
clean("record (service)", out_bytes.decode())
checks += 1

# --- export: CSV/NDJSON written by the CLI, Parquet through python -m pmingest export ---------
# The CLI's CSV and NDJSON must be byte-identical to the Python binding's (one column set, exact
# decimal text); Parquet must read back (pyarrow) as the same exact Decimals; without pyarrow the
# CLI says what to install (exit 69).
repo = Path(__file__).resolve().parents[1]
library = Path(os.environ.get("PMINGEST_LIBRARY") or repo / "dist" / "lib" / "libpmingest.so.0")
if not library.exists():
    fail(f"export: the Python binding needs {library} (make lib)")
py_env = dict(os.environ, PMINGEST_LIBRARY=str(library), PMINGEST_PYTHON=sys.executable,
              PYTHONPATH=str(repo / "bindings" / "python"))


def run_env(argv: List[str], env: Dict[str, str], expect: int = 0) -> subprocess.CompletedProcess:
    global checks
    done = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=120)
    if done.returncode != expect:
        fail(f"{' '.join(argv)}: exit {done.returncode}, expected {expect}\n{done.stdout.decode()}{done.stderr.decode()}")
    clean(" ".join(argv), done.stdout.decode())
    checks += 1
    return done


export_token = max(tokens, key=lambda t: int(run("store", "count", "--db", str(record_db), t).strip()))
for dataset, where, extra in (("trades", record_db, ["--token", export_token]),
                              ("token-metadata", db, []), ("price-history", db, ["--token", export_token])):
    for fmt in ("csv", "ndjson"):
        args = ["export", dataset, "--db", str(where), *extra, "--format", fmt]
        swift_out = run_env([cli, *args], py_env).stdout
        python_out = run_env([sys.executable, "-m", "pmingest", *args], py_env).stdout
        if swift_out != python_out:
            fail(f"export {dataset} --format {fmt}: the CLI and python -m pmingest differ:\n{swift_out[:600]!r}\n"
                 f"{python_out[:600]!r}")
        if fmt == "ndjson":
            ndjson(f"export {dataset} --format ndjson", swift_out.decode(), allow_empty=dataset == "price-history")
exported = run_env([cli, "export", "trades", "--db", str(record_db), "--token", export_token, "--format", "csv"],
                   py_env).stdout.decode().splitlines()
if len(exported) < 2 or not exported[0].startswith("id,token_id,condition_id,side,price,size,timestamp,"):
    fail(f"export trades --format csv: expected a header and rows, got {exported[:3]}")
parquet = work / "trades.parquet"
run_env([cli, "export", "trades", "--db", str(record_db), "--token", export_token, "--format", "parquet",
         "--output", str(parquet)], py_env)
import csv as csv_module  # noqa: E402
from decimal import Decimal  # noqa: E402

import pyarrow.parquet as pq  # noqa: E402  (a test dependency in the venv)

table = pq.read_table(parquet)
rows_csv = list(csv_module.DictReader(exported))
if str(table.schema.field("price").type) != "decimal128(19, 6)" or table.num_rows != len(rows_csv):
    fail(f"export --format parquet: {table.schema} with {table.num_rows} rows, csv has {len(rows_csv)}")
for got, want in zip(table.to_pylist(), rows_csv):
    if got["price"] != Decimal(want["price"]) or got["size"] != Decimal(want["size"]) or got["token_id"] != want["token_id"]:
        fail(f"export --format parquet differs from csv: {got} vs {want}")
blocked = work / "no-pyarrow"
blocked.mkdir()
(blocked / "pyarrow.py").write_text("raise ImportError('pyarrow hidden by cli_test.py')\n")
no_arrow = dict(py_env, PYTHONPATH=f"{blocked}{os.pathsep}{py_env['PYTHONPATH']}")
done = run_env([cli, "export", "trades", "--db", str(record_db), "--token", export_token, "--format", "parquet",
                "--output", str(work / "none.parquet")], no_arrow, expect=69)
if b"pip install 'pmingest[arrow]'" not in done.stderr or (work / "none.parquet").exists():
    fail(f"export --format parquet without pyarrow: expected the install hint and no file: {done.stderr!r}")
run_env([cli, "export", "trades", "--db", str(record_db), "--format", "csv"], py_env, expect=64)  # no --token

# --- on a terminal, progress is shown ---------------------------------------------------------
pid, fd = pty.fork()
if pid == 0:
    os.execv(cli, [cli, "sync", "--db", str(db)])
seen = b""
while True:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    seen += chunk
os.waitpid(pid, 0)
if b"\rpages " not in seen or b"synced " not in seen:
    fail(f"sync on a terminal: expected a progress line, got {seen[:300]!r}")
checks += 1
print(f"cli-test: {checks} checks passed (piped stdout clean, NDJSON, record --config, metrics file, SIGTERM, export)")
