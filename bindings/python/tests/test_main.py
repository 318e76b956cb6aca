"""``python -m pmingest``: the CLI's read-only REST commands through the binding, against the fake."""

from __future__ import annotations

import io
import json
import time
from contextlib import redirect_stderr, redirect_stdout
from decimal import Decimal
from typing import List, Tuple

from pmingest.__main__ import main

A_YES = "144025376118479892262749490880200562967355458335621099086839387638815271716888"


def run(fake, *args: str) -> Tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    urls = ["--gamma-url", fake.gamma_url, "--clob-url", fake.clob_url, "--data-url", fake.data_url]
    with redirect_stdout(out), redirect_stderr(err):
        code = main([*urls, *args])
    return code, out.getvalue(), err.getvalue()


def lines(text: str) -> List[dict]:
    return [json.loads(line) for line in text.splitlines()]


def test_markets_json_is_one_object_per_line(fake):
    fake.seed("basic")
    code, out, _ = run(fake, "markets", "--json")
    assert code == 0
    markets = lines(out)
    assert markets and all(isinstance(m, dict) and m["condition_id"].startswith("0x") for m in markets)
    assert any(t["token_id"] == A_YES for m in markets for t in m["tokens"])


def test_book_json_keeps_decimal_strings(fake):
    fake.seed("basic")
    code, out, _ = run(fake, "book", A_YES, "--json")
    assert code == 0
    [book] = lines(out)
    assert book["token_id"] == A_YES
    assert Decimal(book["bids"][0]["price"]) == Decimal("0.51")  # best first, exact
    code, out, _ = run(fake, "book", A_YES)
    assert code == 0 and "best bid 0.51" in out


def test_trades_passes_the_age_check(fake):
    now = int(time.time())
    fake.seed("basic", now=now)
    code, out, _ = run(fake, "trades", A_YES, "--json", "--max-age", "300")
    assert code == 0
    for trade in lines(out):
        assert now * 1000 - trade["timestamp_ms"] <= 300_000 + 5_000  # G1
        assert isinstance(trade["price"], str)


def test_cli_only_commands_point_to_the_cli(fake):
    code, _, err = run(fake, "stream", A_YES)
    assert code == 64 and "pmingest stream --help" in err


def test_network_failure_is_one_line_and_exit_69():
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["--gamma-url", "http://127.0.0.1:9", "markets"])
    assert code == 69 and err.getvalue().startswith("python -m pmingest: error:")
