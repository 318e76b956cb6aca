"""Research export (pmingest.export): Arrow tables, Parquet files and pandas frames, exactly.

What the library returns as ``Decimal`` must come out of Arrow, Parquet and pandas as the same
``Decimal`` (never through float): wire float noise such as ``0.30000000000000004`` is rounded by
the core's decoder to micro-units and the export keeps that value; 78-digit token ids stay
strings; times keep nanoseconds. Against the fake server where the data comes over the wire.
"""

from __future__ import annotations

import builtins
import csv
import io
import json
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

import pmingest

from conftest import PYTHON_ROOT, make_trade

pa = pytest.importorskip("pyarrow")  # a test dependency: make deps installs it
pq = pytest.importorskip("pyarrow.parquet")
pd = pytest.importorskip("pandas")

TOKEN_77 = "7" * 77
TOKEN_78 = "144025376118479892262749490880200562967355458335621099086839387638815271716888"
CONDITION = "0x7b2a8faa00b2751622e6f43ddb32fc4112498d94cc835d73b2cf44946a56845c"
INT64_MAX_DEC = Decimal("9223372036854.775807")
INT64_MIN_DEC = Decimal("-9223372036854.775808")
T = datetime(2026, 1, 1, 0, 0, 0, 789000, tzinfo=timezone.utc)
T_NS = 1767225600789000000
DECIMAL = pa.decimal128(19, 6)
NS_UTC = pa.timestamp("ns", tz="UTC")


def parquet_round_trip(table, tmp_path):
    path = tmp_path / "t.parquet"
    pq.write_table(table, path)
    back = pq.read_table(path)
    assert back.schema.equals(table.schema), (back.schema, table.schema)
    return back


def same_decimals(got, want):
    """Equal values and Decimal type, element by element (None stays None)."""
    assert len(got) == len(want)
    for g, w in zip(got, want):
        if w is None:
            assert g is None
        else:
            assert type(g) is Decimal and g == w, (g, w)


# ---------------------------------------------------------------------------------------------
# Trades from the store: exact decimals, string token ids, Parquet round trip
# ---------------------------------------------------------------------------------------------


def test_stored_trades_to_arrow_are_exact_and_round_trip_through_parquet(trades, tmp_path):
    rows = [
        make_trade(token_id=TOKEN_78, price=Decimal("0.000001"), size=Decimal("0.000001"), transaction_hash="0x1"),
        make_trade(token_id=TOKEN_78, price=Decimal("0.999999"), size=Decimal("1218691.83"),
                   timestamp=T, transaction_hash="0x2"),
        make_trade(token_id=TOKEN_78, price=Decimal("0"), size=Decimal("0"), timestamp=T + timedelta(milliseconds=1),
                   transaction_hash="0x3", condition_id=None, outcome=None, proxy_wallet=None),
    ]
    trades.upsert_many(rows)
    got = trades.query(TOKEN_78)
    assert isinstance(got, list) and type(got) is pmingest.TradeList and len(got) == 3
    table = got.to_arrow()
    assert table.schema.field("price").type == DECIMAL and table.schema.field("size").type == DECIMAL
    assert table.schema.field("timestamp").type == NS_UTC
    assert table.schema.field("token_id").type == pa.string()
    assert table.column_names == ["id", "token_id", "condition_id", "side", "price", "size", "timestamp",
                                  "transaction_hash", "proxy_wallet", "outcome"]
    for back in (table, parquet_round_trip(table, tmp_path)):
        same_decimals(back.column("price").to_pylist(), [t.price for t in got])
        same_decimals(back.column("size").to_pylist(), [t.size for t in got])
        assert back.column("token_id").to_pylist() == [TOKEN_78] * 3
        assert back.column("id").to_pylist() == [t.id for t in got]
        assert back.column("condition_id").to_pylist() == [t.condition_id for t in got]
        assert back.column("timestamp").cast(pa.int64()).to_pylist() == [
            (t.timestamp - datetime(1970, 1, 1, tzinfo=timezone.utc)) // timedelta(microseconds=1) * 1000 for t in got]


def test_trades_to_arrow_77_digit_token_ids_stay_strings(tmp_path):
    table = pmingest.trades_to_arrow([make_trade(token_id=TOKEN_77), make_trade(token_id="0" + "1" * 76)])
    back = parquet_round_trip(table, tmp_path)
    assert back.column("token_id").to_pylist() == [TOKEN_77, "0" + "1" * 76]  # the leading zero too
    frame = pmingest.trades_to_pandas([make_trade(token_id=TOKEN_77)])
    assert frame["token_id"].iloc[0] == TOKEN_77 and isinstance(frame["token_id"].iloc[0], str)


def test_query_with_limit_zero_and_empty_results_are_export_lists(trades):
    empty = trades.query("1", limit=0)
    assert type(empty) is pmingest.TradeList and empty == []
    table = trades.query("1").to_arrow()
    assert table.num_rows == 0 and table.schema.field("price").type == DECIMAL


# ---------------------------------------------------------------------------------------------
# Wire float noise: the export equals what the library returned
# ---------------------------------------------------------------------------------------------


def test_wire_float_noise_is_exported_as_the_library_decoded_it(fake, tmp_path):
    now = int(time.time())
    rows = [{"proxyWallet": "0x" + "12" * 20, "side": side, "asset": TOKEN_78, "conditionId": CONDITION,
             "size": size, "price": price, "timestamp": now - age, "transactionHash": tx, "outcome": "Yes",
             "outcomeIndex": 0, "title": "T", "slug": "s"}
            for side, price, size, age, tx in [
                ("BUY", 0.30000000000000004, 50.0, 10, "0xa"),   # JSON floats, as the Data API sends them
                ("SELL", 5e-07, 1.5e-06, 20, "0xb"),            # below half a micro; half-even up
                ("BUY", 0.1234565, 2.5e-06, 30, "0xc"),         # half-even on the 7th digit
            ]]
    fake.set_state(market_by_token={TOKEN_78: CONDITION}, trades=rows)
    got = fake.client().fetch_trades(TOKEN_78, limit=10)
    assert type(got) is pmingest.TradeList
    assert [t.price for t in got] == [Decimal("0.3"), Decimal("0"), Decimal("0.123456")]
    assert [t.size for t in got] == [Decimal("50"), Decimal("0.000002"), Decimal("0.000002")]
    table = parquet_round_trip(got.to_arrow(), tmp_path)
    same_decimals(table.column("price").to_pylist(), [t.price for t in got])
    same_decimals(table.column("size").to_pylist(), [t.size for t in got])
    frame = got.to_pandas()
    same_decimals(list(frame["price"]), [t.price for t in got])


def test_decimals_the_core_cannot_hold_are_refused_never_rounded():
    with pytest.raises(pmingest.PmInvalidArgument, match="price"):
        pmingest.trades_to_arrow([make_trade(price=Decimal("0.30000000000000004"))])
    with pytest.raises(pmingest.PmInvalidArgument, match="float"):
        pmingest.trades_to_arrow([make_trade(price=0.3)])  # type: ignore[arg-type]
    with pytest.raises(pmingest.PmInvalidArgument, match="size"):
        pmingest.trades_to_arrow([make_trade(size=Decimal("NaN"))])
    with pytest.raises(pmingest.PmInvalidArgument):
        pmingest.trades_to_arrow([make_trade(size=Decimal("12345678901234.5"))])  # 20 digits


# ---------------------------------------------------------------------------------------------
# Edges: int64 micro-unit extremes, negatives, zero, timestamps at ns
# ---------------------------------------------------------------------------------------------


def test_int64_extremes_negatives_and_zero_are_exact(tmp_path):
    values = [INT64_MAX_DEC, INT64_MIN_DEC, Decimal("-0.000001"), Decimal("0"), Decimal("-0"), Decimal("1E+2"),
              pmingest.parse_decimal("9223372036854.775807")]
    points = [pmingest.PricePoint(TOKEN_78, T, v) for v in values]
    table = pmingest.price_history_to_arrow(points)
    assert table.schema.field("price").type == DECIMAL
    back = parquet_round_trip(table, tmp_path)
    same_decimals(back.column("price").to_pylist(), values)
    assert str(back.column("price")[1].as_py()) == "-9223372036854.775808"
    frame = pmingest.price_history_to_pandas(points)
    assert str(frame["price"].dtype) == "decimal128(19, 6)[pyarrow]"
    same_decimals(list(frame["price"]), values)


def test_timestamps_keep_nanoseconds_and_refuse_naive_times(tmp_path):
    micro = datetime(2026, 1, 1, 0, 0, 0, 123456, tzinfo=timezone.utc)
    plus2 = datetime(2026, 1, 1, 2, 0, 0, 1, tzinfo=timezone(timedelta(hours=2)))  # = 00:00:00.000001Z
    nano = pd.Timestamp("2026-01-01T00:00:00.123456789Z")
    points = [pmingest.PricePoint(TOKEN_78, when, Decimal("0.5")) for when in (micro, plus2, nano)]
    table = parquet_round_trip(pmingest.price_history_to_arrow(points), tmp_path)
    assert table.schema.field("timestamp").type == NS_UTC
    assert table.column("timestamp").cast(pa.int64()).to_pylist() == [
        1767225600123456000, 1767225600000001000, 1767225600123456789]
    frame = pmingest.price_history_to_pandas(points)
    assert str(frame["timestamp"].dtype) == "datetime64[ns, UTC]"
    assert frame["timestamp"].iloc[2].value == 1767225600123456789
    with pytest.raises(ValueError, match="naive"):
        pmingest.price_history_to_arrow([pmingest.PricePoint(TOKEN_78, datetime(2026, 1, 1), Decimal("1"))])


def test_pandas_frames_keep_decimals_exact(trades):
    trades.upsert(make_trade(price=Decimal("0.95"), size=Decimal("84.17")))
    frame = trades.query(make_trade().token_id).to_pandas()
    assert str(frame["price"].dtype) == "decimal128(19, 6)[pyarrow]"
    price = frame["price"].iloc[0]
    assert type(price) is Decimal and price == Decimal("0.95")
    assert frame["size"].sum() == Decimal("84.17")  # arithmetic stays exact (Arrow decimal)
    assert str(frame["timestamp"].dtype) == "datetime64[ns, UTC]"
    back = pa.Table.from_pandas(frame, preserve_index=False)
    assert back.schema.field("price").type == DECIMAL


# ---------------------------------------------------------------------------------------------
# Books: one row per level, best first
# ---------------------------------------------------------------------------------------------


def wire_book(token, bids, asks):
    return {"market": CONDITION, "asset_id": token, "timestamp": "1767225600123", "hash": "3cd4",
            "bids": [{"price": p, "size": s} for p, s in bids], "asks": [{"price": p, "size": s} for p, s in asks],
            "min_order_size": "5", "tick_size": "0.01", "neg_risk": False, "last_trade_price": "0.05"}


def test_books_to_arrow_levels_as_rows_best_first(fake, tmp_path):
    other = "52114319501245915516055106046884209969926127482827954674443846427813813222426"
    fake.set_state(books={
        TOKEN_78: wire_book(TOKEN_78, [("0.01", "600005"), ("0.03", "1200"), ("0.05", "250.5")],  # lowest first
                            [("0.99", "100000"), ("0.08", "300"), ("0.07", "84.17")]),
        other: wire_book(other, [("0.4", "1")], []),
    })
    books = fake.client().fetch_orderbooks([TOKEN_78, other])
    assert type(books) is pmingest.OrderBookList
    table = parquet_round_trip(books.to_arrow(), tmp_path)
    assert table.column_names == ["token_id", "condition_id", "timestamp", "hash", "side", "rank", "price", "size"]
    rows = table.to_pylist()
    assert [(r["token_id"] == TOKEN_78, r["side"], r["rank"], r["price"]) for r in rows] == [
        (True, "bid", 0, Decimal("0.05")), (True, "bid", 1, Decimal("0.03")), (True, "bid", 2, Decimal("0.01")),
        (True, "ask", 0, Decimal("0.07")), (True, "ask", 1, Decimal("0.08")), (True, "ask", 2, Decimal("0.99")),
        (False, "bid", 0, Decimal("0.4")),
    ]
    same_decimals([r["size"] for r in rows], [Decimal(s) for s in ("250.5", "1200", "600005", "84.17", "300",
                                                                     "100000", "1")])
    assert table.column("timestamp").cast(pa.int64()).to_pylist()[0] == 1767225600123000000
    frame = pmingest.books_to_pandas(books)
    assert list(frame["rank"][:3]) == [0, 1, 2]


# ---------------------------------------------------------------------------------------------
# Stream events (live from the fake, and made by hand: PriceUpdate, gap markers)
# ---------------------------------------------------------------------------------------------


def test_events_from_a_live_stream_to_arrow(ws_fake, tmp_path):
    trade = {"event_type": "last_trade_price", "market": CONDITION, "asset_id": TOKEN_78,
             "price": "0.52", "size": "84.17", "side": "BUY", "fee_rate_bps": "0",
             "timestamp": "1767225600789", "transaction_hash": "0x9f"}
    changes = {"event_type": "price_change", "market": CONDITION, "timestamp": "1767225600790",
               "price_changes": [{"asset_id": TOKEN_78, "price": "0.51", "size": "300", "side": "BUY",
                                  "hash": "h", "best_bid": "0.51", "best_ask": "0.52"},
                                 {"asset_id": TOKEN_78, "price": "0.95", "size": "0", "side": "SELL",
                                  "hash": "h", "best_bid": "0.51", "best_ask": "0.52"}]}
    book = {"event_type": "book", "market": CONDITION, "asset_id": TOKEN_78, "timestamp": "1767225600788",
            "hash": "3cd4", "bids": [{"price": "0.01", "size": "5"}, {"price": "0.5", "size": "10"}],
            "asks": [{"price": "0.9", "size": "7"}, {"price": "0.6", "size": "3"}],
            "tick_size": "0.01", "min_order_size": "5"}
    ws_fake.ws_script({"dump": False, "on_subscribe": [{"json": book}, {"json": trade}, {"json": changes}]})
    client = ws_fake.stream()
    client.connect()
    client.subscribe([TOKEN_78])
    events = []
    deadline = time.monotonic() + 5
    while len(events) < 3 and time.monotonic() < deadline:
        event = client.receive_event(timeout=0.5)
        if event is not None:
            events.append(event)
    assert [e.type for e in events] == ["book", "last_trade_price", "price_change"]
    gap = pmingest.StreamEvent("reconnected", detail="queue overflow", received_at=T, reconnect_token_ids=(TOKEN_78,))
    update = pmingest.PriceUpdate(TOKEN_78, Decimal("0.52"), T, CONDITION)
    table = parquet_round_trip(pmingest.events_to_arrow(events + [gap, update]), tmp_path)
    rows = table.to_pylist()
    assert [r["type"] for r in rows] == ["book", "last_trade_price", "price_change", "reconnected", "price_update"]
    b, t, c, g, u = rows
    assert b["bids"] == [{"price": Decimal("0.5"), "size": Decimal("10")}, {"price": Decimal("0.01"), "size": Decimal("5")}]
    assert b["asks"][0] == {"price": Decimal("0.6"), "size": Decimal("3")} and b["changes"] is None
    assert t["token_id"] == TOKEN_78 and t["condition_id"] == CONDITION and t["price"] == Decimal("0.52")
    assert t["trade_size"] == Decimal("84.17") and t["side"] == "BUY" and t["is_price_update"] is True
    assert table.column("timestamp").cast(pa.int64()).to_pylist()[1] == T_NS
    assert t["received_at"] is not None and t["bids"] is None and t["reconnect_token_ids"] is None
    assert c["changes"] == [{"token_id": TOKEN_78, "side": "BUY", "price": Decimal("0.51"), "size": Decimal("300")},
                            {"token_id": TOKEN_78, "side": "SELL", "price": Decimal("0.95"), "size": Decimal("0")}]
    assert c["is_price_update"] is False and c["price"] is None
    assert g["is_reconnect"] is True and g["detail"] == "queue overflow" and g["reconnect_token_ids"] == [TOKEN_78]
    assert u["is_price_update"] is True and u["received_at"] is None and u["trade_size"] is None
    assert table.schema.field("best_bid").type == DECIMAL and table.schema.field("received_at").type == NS_UTC
    every_asset = pmingest.events_to_arrow([pmingest.StreamEvent("reconnected")]).column("reconnect_token_ids")
    assert every_asset.to_pylist() == [[]]  # empty list: every asset lost continuity
    frame = pmingest.events_to_pandas(events + [gap, update])
    assert frame["type"].tolist()[-1] == "price_update" and frame["price"].iloc[1] == Decimal("0.52")
    assert pmingest.EventList(events).to_arrow().num_rows == 3
    books = pmingest.books_to_arrow([events[0]])  # a book event's levels as rows
    assert books.column("price").to_pylist() == [Decimal("0.5"), Decimal("0.01"), Decimal("0.6"), Decimal("0.9")]


def test_event_with_float_noise_price_on_the_stream_is_exported_as_decoded(ws_fake):
    trade = {"event_type": "last_trade_price", "market": CONDITION, "asset_id": TOKEN_78,
             "price": 0.30000000000000004, "size": 50.0, "side": "SELL", "timestamp": "1767225600789"}
    ws_fake.ws_script({"dump": False, "on_subscribe": [{"json": trade}]})
    client = ws_fake.stream()
    client.connect()
    client.subscribe([TOKEN_78])
    event = client.receive_event(timeout=5)
    assert event is not None and event.type == "last_trade_price"
    row = pmingest.events_to_arrow([event]).to_pylist()[0]
    assert row["price"] == event.price and type(row["price"]) is Decimal
    assert row["trade_size"] == event.trade_size


def test_wrong_records_are_type_errors():
    with pytest.raises(TypeError, match="item 0"):
        pmingest.events_to_arrow([make_trade()])
    with pytest.raises(TypeError, match="PolymarketTrade"):
        pmingest.trades_to_arrow([pmingest.PricePoint(TOKEN_78, T, Decimal("1"))])
    with pytest.raises(TypeError, match="no book"):
        pmingest.books_to_arrow([pmingest.StreamEvent("reconnected")])
    with pytest.raises(TypeError):
        pmingest.trades_to_arrow("not records")


# ---------------------------------------------------------------------------------------------
# Token metadata and the list subclasses
# ---------------------------------------------------------------------------------------------


def test_token_metadata_to_arrow(metas, tmp_path):
    metas.upsert(pmingest.PolymarketTokenMeta(token_id=TOKEN_78, condition_id=CONDITION, question="Q?", outcome="Yes",
                                              outcome_index=0, tick_size=Decimal("0.001"), min_order_size=Decimal("5"),
                                              active=True, end_date=T, protocol_version="v2"))
    listed = metas.list()
    assert type(listed) is pmingest.TokenMetaList
    row = parquet_round_trip(listed.to_arrow(), tmp_path).to_pylist()[0]
    assert row["token_id"] == TOKEN_78 and row["tick_size"] == Decimal("0.001") and row["outcome_index"] == 0
    assert row["active"] is True and row["closed"] is False and row["min_order_size"] == Decimal("5")
    assert row["end_date"] == T and row["protocol_version"] == "v2"


def test_export_lists_behave_as_lists(trades):
    trades.upsert(make_trade())
    got = trades.query(make_trade().token_id)
    assert got == [got[0]] and isinstance(got, list)
    assert type(got[:1]) is list  # slices are plain lists
    got.append(make_trade(price=Decimal("0.5")))
    assert got.to_arrow().num_rows == 2


# ---------------------------------------------------------------------------------------------
# Missing optional dependencies: a clear error with the install hint
# ---------------------------------------------------------------------------------------------


def test_missing_pyarrow_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # `import pyarrow` now raises ImportError
    with pytest.raises(pmingest.PmMissingDependency) as caught:
        pmingest.trades_to_arrow([make_trade()])
    assert isinstance(caught.value, ImportError)
    assert "pip install 'pmingest[arrow]'" in str(caught.value)
    with pytest.raises(ImportError, match=r"pip install 'pmingest\[arrow\]'"):
        pmingest.TradeList([make_trade()]).to_pandas()


def test_missing_pandas_says_what_to_install(monkeypatch):
    real_import = builtins.__import__

    def blocked(name, *args, **kwargs):
        if name == "pandas" or name.startswith("pandas."):
            raise ImportError("No module named 'pandas' (blocked by the test)")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", blocked)
    with pytest.raises(pmingest.PmMissingDependency, match=r"pip install 'pmingest\[pandas\]'"):
        pmingest.trades_to_pandas([make_trade()])
    assert pmingest.trades_to_arrow([make_trade()]).num_rows == 1  # Arrow alone still works


def test_the_binding_imports_and_works_without_pyarrow(trades):
    code = (
        "import sys; sys.modules['pyarrow'] = None; sys.modules['pandas'] = None\n"
        f"sys.path.insert(0, {str(PYTHON_ROOT)!r})\n"
        "import pmingest\n"
        "db = pmingest.Database(); repo = pmingest.TradeRepository(db)\n"
        "got = repo.query('1')\n"
        "assert got == [] and isinstance(got, list)\n"
        "try:\n"
        "    got.to_arrow()\n"
        "except ImportError as e:\n"
        "    print(e)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "pip install 'pmingest[arrow]'" in done.stdout


# ---------------------------------------------------------------------------------------------
# python -m pmingest export
# ---------------------------------------------------------------------------------------------


def store_with_trades(tmp_path):
    path = tmp_path / "store.db"
    with pmingest.Database(str(path)) as db:
        pmingest.TradeRepository(db).upsert_many([
            make_trade(token_id=TOKEN_78, price=Decimal("0.3"), size=Decimal("1218691.83"), timestamp=T,
                       transaction_hash="0x1", outcome='Yes, "quoted"'),
            make_trade(token_id=TOKEN_78, price=Decimal("0.000001"), size=Decimal("0"), timestamp=T + timedelta(seconds=1),
                       transaction_hash="0x2", outcome=None),
            make_trade(token_id=TOKEN_77, timestamp=T, transaction_hash="0x3"),
        ])
        pmingest.PriceHistoryRepository(db).upsert([pmingest.PricePoint(TOKEN_78, T, Decimal("0.55"))])
    return path


def run_export(*args):
    from pmingest.__main__ import main

    out = io.StringIO()
    old, sys.stdout = sys.stdout, out
    try:
        code = main(["export", *args])
    finally:
        sys.stdout = old
    return code, out.getvalue()


def test_python_m_pmingest_export_parquet_csv_ndjson(tmp_path):
    db = store_with_trades(tmp_path)
    out = tmp_path / "trades.parquet"
    code, _ = run_export("trades", "--db", str(db), "--token", TOKEN_78, "--format", "parquet", "--output", str(out))
    assert code == 0
    table = pq.read_table(out)
    assert table.schema.field("price").type == DECIMAL
    same_decimals(table.column("price").to_pylist(), [Decimal("0.3"), Decimal("0.000001")])
    same_decimals(table.column("size").to_pylist(), [Decimal("1218691.83"), Decimal("0")])

    code, text = run_export("trades", "--db", str(db), "--token", TOKEN_78, "--token", TOKEN_77, "--format", "csv")
    assert code == 0
    lines = text.splitlines()
    assert lines[0] == "id,token_id,condition_id,side,price,size,timestamp,transaction_hash,proxy_wallet,outcome"
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["price"] for r in rows] == ["0.3", "0.000001", "0.95"]
    assert [r["size"] for r in rows] == ["1218691.83", "0", "84.17"]
    assert rows[0]["timestamp"] == "2026-01-01T00:00:00.789Z" and rows[0]["outcome"] == 'Yes, "quoted"'
    assert [r["token_id"] for r in rows] == [TOKEN_78, TOKEN_78, TOKEN_77] and rows[1]["outcome"] == ""

    since = "2026-01-01T00:00:01Z"
    code, text = run_export("trades", "--db", str(db), "--token", TOKEN_78, "--since", since, "--format", "ndjson")
    assert code == 0
    [obj] = [json.loads(line) for line in text.splitlines()]
    assert obj["price"] == "0.000001" and obj["token_id"] == TOKEN_78 and obj["outcome"] is None

    code, text = run_export("price-history", "--db", str(db), "--token", TOKEN_78, "--format", "csv")
    assert code == 0 and text == f"token_id,timestamp,price\n{TOKEN_78},2026-01-01T00:00:00.789Z,0.55\n"
    code, text = run_export("token-metadata", "--db", str(db), "--format", "ndjson")
    assert code == 0 and text == ""


def test_python_m_pmingest_export_errors(tmp_path, monkeypatch, capsys):
    db = store_with_trades(tmp_path)
    code, _ = run_export("trades", "--db", str(db), "--format", "csv")  # trades need --token
    assert code == 64 and "--token" in capsys.readouterr().err
    code, _ = run_export("trades", "--db", str(db), "--token", TOKEN_78, "--format", "parquet")  # no --output
    assert code == 64 and "--output" in capsys.readouterr().err
    code, _ = run_export("trades", "--db", str(db), "--token", TOKEN_78, "--since", "yesterday", "--format", "csv")
    assert code == 64 and "--since" in capsys.readouterr().err
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    code, _ = run_export("trades", "--db", str(db), "--token", TOKEN_78, "--format", "parquet",
                         "--output", str(tmp_path / "x.parquet"))
    assert code == 69 and "pip install 'pmingest[arrow]'" in capsys.readouterr().err
    assert not (tmp_path / "x.parquet").exists()
