"""The REST surface through the real library (libcurl) against the fake Polymarket server.

Every test scripts its own server session (``fake`` fixture, conftest.py): the data served, the
faults injected, and the request log it checks. Nothing here touches the internet.
"""

from __future__ import annotations

import _thread
import dataclasses
import signal
import threading
import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

import pmingest
from pmingest import _blocking

# The basic preset's market A (open, tick 0.01) and D (closed, no book): README §4.
A_CONDITION = "0x7b2a8faa00b2751622e6f43ddb32fc4112498d94cc835d73b2cf44946a56845c"
A_YES = "144025376118479892262749490880200562967355458335621099086839387638815271716888"
A_NO = "112278289787275788450760739773662884649160898737205504916059379809203140215082"
C_YES = "106332685723523029938638979205475695299425361528297838403638781186477132000926"
D_CONDITION = "0xe22ce8d8aaa158d5cc234620c27b6af151496d9f4ce2b9c7d5545e685569fc04"
D_YES = "110436092679328050248773699021512577829689879253169394784141881484429816963284"
UNKNOWN_CONDITION = "0x" + "00" * 32

# A hand-made token for scripted states.
TOKEN = A_YES
CONDITION = A_CONDITION


def trade_row(age_seconds: int, price: str, size: str = "50.0", tx: str = "0x01", now: int = None):
    """A Data API /trades row exactly as served: price/size JSON floats, timestamp in seconds."""
    now = int(time.time()) if now is None else now
    return {
        "proxyWallet": "0x1234567890abcdef1234567890abcdef12345678",
        "side": "BUY",
        "asset": TOKEN,
        "conditionId": CONDITION,
        "size": float(size),
        "price": float(price),
        "timestamp": now - age_seconds,
        "title": "Will X happen?",
        "slug": "will-x",
        "outcome": "Yes",
        "outcomeIndex": 0,
        "transactionHash": tx,
    }


def set_trades(fake, *rows) -> None:
    fake.set_state(market_by_token={TOKEN: CONDITION}, trades=list(rows))


def book(bids, asks, token=TOKEN):
    """An OrderBookSummary as the CLOB sends it (levels in the given, wire, order)."""
    return {
        "market": CONDITION,
        "asset_id": token,
        "timestamp": "1767225600123",
        "hash": "3cd4",
        "bids": [{"price": price, "size": size} for price, size in bids],
        "asks": [{"price": price, "size": size} for price, size in asks],
        "min_order_size": "5",
        "tick_size": "0.01",
        "neg_risk": False,
        "last_trade_price": "0.05",
    }


SPIKE_BOOK = book(
    bids=[("0.01", "600005"), ("0.03", "1200"), ("0.05", "250.5")],  # lowest first, as on the wire
    asks=[("0.99", "100000"), ("0.08", "300"), ("0.07", "84.17")],
)


def assert_exact_types(value, path="value"):
    """No float anywhere; money is Decimal; times are aware UTC datetimes."""
    assert not isinstance(value, float), f"{path} is a float: {value!r}"
    if dataclasses.is_dataclass(value):
        for field in dataclasses.fields(value):
            assert_exact_types(getattr(value, field.name), f"{path}.{field.name}")
        for name in ("price", "size", "tick_size", "min_order_size"):
            if hasattr(value, name) and getattr(value, name) is not None:
                assert type(getattr(value, name)) is Decimal, f"{path}.{name}"
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            assert_exact_types(item, f"{path}[{index}]")
    elif isinstance(value, datetime):
        assert value.tzinfo is not None and value.utcoffset() == timedelta(0), path


# ---------------------------------------------------------------------------------------------
# G1: stale trades are never handed out as recent
# ---------------------------------------------------------------------------------------------


def test_g1_sixty_day_old_trade_beside_a_fresh_one_gives_only_the_fresh_one(fake):
    now = int(time.time())
    set_trades(
        fake,
        trade_row(60 * 86_400, "0.95", tx="0xold", now=now),
        trade_row(10, "0.05", tx="0xnew", now=now),
    )
    client = fake.client()
    fetcher = pmingest.TradeFetcher(client)
    recent = fetcher.fetch_recent_trades(TOKEN)
    assert [trade.transaction_hash for trade in recent] == ["0xnew"]
    assert recent[0].price == Decimal("0.05") and type(recent[0].price) is Decimal
    # seconds on the wire become an exact aware datetime
    assert recent[0].timestamp == datetime.fromtimestamp(now - 10, tz=timezone.utc)
    assert fetcher.last_dropped_stale == 1
    assert_exact_types(recent)
    # the same through the convenience function
    assert [t.transaction_hash for t in pmingest.fetch_recent_trades(client, TOKEN)] == ["0xnew"]
    # the raw fetch has no age check: the stale print is there (which is why G1 exists)
    assert {t.transaction_hash for t in client.fetch_trades(TOKEN)} == {"0xold", "0xnew"}


def test_g1_all_stale_gives_an_empty_list(fake):
    now = int(time.time())
    set_trades(
        fake,
        trade_row(60 * 86_400, "0.95", tx="0xold", now=now),
        trade_row(3_600, "0.94", tx="0xhour", now=now),
    )
    client = fake.client()
    fetcher = pmingest.TradeFetcher(client, max_age_seconds=300)
    assert fetcher.fetch_recent_trades(TOKEN) == []
    assert fetcher.last_dropped_stale == 2
    assert pmingest.fetch_recent_trades(client, TOKEN, max_age_seconds=300) == []
    # a wider window per call, or per fetcher
    assert [
        t.transaction_hash for t in fetcher.fetch_recent_trades(TOKEN, max_age_seconds=7200)
    ] == ["0xhour"]
    assert fetcher.last_dropped_stale == 1
    assert len(pmingest.TradeFetcher(client, 86_400).fetch_recent_trades(TOKEN)) == 1


def test_g1_future_trades_are_dropped_as_suspect(fake):
    now = int(time.time())
    set_trades(
        fake,
        trade_row(-3_600, "0.5", tx="0xfuture", now=now),
        trade_row(5, "0.5", tx="0xok", now=now),
    )
    fetcher = pmingest.TradeFetcher(fake.client())
    assert [t.transaction_hash for t in fetcher.fetch_recent_trades(TOKEN)] == ["0xok"]


def test_g1_on_the_basic_preset(fake):
    fake.seed("basic", now=int(time.time()))
    client = fake.client()
    raw = client.fetch_trades(A_YES, limit=100)
    fresh = pmingest.TradeFetcher(client, max_age_seconds=3_600 + 60).fetch_recent_trades(A_YES)
    cutoff = datetime.now(timezone.utc) - timedelta(seconds=3_700)
    assert fresh and all(trade.timestamp >= cutoff for trade in fresh)
    assert any(trade.timestamp < cutoff for trade in raw)  # 60- and 90-day-old rows exist
    assert all(trade.token_id == A_YES for trade in raw)
    timestamps = [trade.timestamp for trade in raw]
    assert timestamps == sorted(timestamps, reverse=True)  # newest first
    assert len(client.fetch_trades(A_YES, limit=2)) == 2
    assert_exact_types(raw)


# ---------------------------------------------------------------------------------------------
# G3: the size of a fresh trade near a price
# ---------------------------------------------------------------------------------------------


def test_g3_size_at_price(fake):
    now = int(time.time())
    set_trades(
        fake,
        trade_row(20, "0.30000000000000004", size="75.5", tx="0xa", now=now),
        trade_row(90 * 86_400, "0.3", size="9999", tx="0xb", now=now),
    )
    fetcher = pmingest.TradeFetcher(fake.client())
    size = fetcher.fetch_trade_size_at_price(TOKEN, Decimal("0.3"))
    assert size == Decimal("75.5") and type(size) is Decimal
    assert fetcher.fetch_trade_size_at_price(TOKEN, "0.31") == Decimal("75.5")  # within 0.01
    assert fetcher.fetch_trade_size_at_price(TOKEN, Decimal("0.32")) is None
    assert fetcher.fetch_trade_size_at_price(TOKEN, Decimal("0.32"), Decimal("0.05")) == Decimal(
        "75.5"
    )
    assert fetcher.fetch_trade_size_at_price(TOKEN, Decimal("0.3"), max_age_seconds=10) is None
    with pytest.raises(TypeError, match="float"):
        fetcher.fetch_trade_size_at_price(TOKEN, 0.3)
    with pytest.raises(pmingest.PmParseError):
        fetcher.fetch_trade_size_at_price(TOKEN, "zero point three")


# ---------------------------------------------------------------------------------------------
# G5: verify a price against the book
# ---------------------------------------------------------------------------------------------


def test_g5_spike_is_rejected_against_a_book_sent_lowest_bid_first(fake):
    fake.set_state(books={TOKEN: SPIKE_BOOK})
    client = fake.client()
    is_valid, best_bid, reason = pmingest.verify_orderbook_price(client, TOKEN, Decimal("0.95"))
    assert (is_valid, best_bid) == (False, Decimal("0.05"))
    assert type(best_bid) is Decimal
    assert "0.05" in reason and "0.95" in reason
    result = pmingest.verify_orderbook_price(client, TOKEN, Decimal("0.95"))
    assert result == (False, Decimal("0.05"), reason)  # a plain tuple, with names
    assert result.is_valid is False and result.actual_best_bid == Decimal("0.05")
    near = pmingest.verify_orderbook_price(client, TOKEN, Decimal("0.06"))
    assert near.is_valid is True and near.actual_best_bid == Decimal("0.05")
    # max_deviation is inclusive and configurable
    assert pmingest.verify_orderbook_price(client, TOKEN, "0.15").is_valid is True
    assert pmingest.verify_orderbook_price(client, TOKEN, "0.15", Decimal("0.05")).is_valid is False
    # the book itself, best first
    fetched = client.fetch_orderbook(TOKEN)
    assert fetched.best_bid == pmingest.OrderBookLevel(Decimal("0.05"), Decimal("250.5"))
    assert fetched.best_ask == pmingest.OrderBookLevel(Decimal("0.07"), Decimal("84.17"))
    assert [level.price for level in fetched.bids] == [
        Decimal("0.05"),
        Decimal("0.03"),
        Decimal("0.01"),
    ]


def test_g5_fails_closed(fake):
    fake.set_state(
        books={
            "1": {"asset_id": "1", "bids": [], "asks": [{"price": "0.5", "size": "1"}]},
            "3": {
                "asset_id": "3",
                "bids": [{"price": "0.6", "size": "1"}],
                "asks": [{"price": "0.55", "size": "1"}],
            },
            "4": None,
        }
    )
    fake.faults({"path": "/clob/book", "query": {"token_id": "6"}, "status": 500})
    client = fake.client(max_attempts=1)
    for token in ("1", "3", "4", "5", "6"):  # empty, crossed, null, 404, 500
        is_valid, _, reason = pmingest.verify_orderbook_price(client, token, Decimal("0.6"))
        assert is_valid is False, (token, reason)
        assert "0.6" in reason, (token, reason)
    assert pmingest.verify_orderbook_price(client, "1", "0.6").actual_best_bid is None
    with pytest.raises(TypeError):
        pmingest.verify_orderbook_price(client, TOKEN, 0.95)


OTHER = "17015470973684177829729219287262166995141465048508201953575582100565462316088"
ZERO = "18015470973684177829729219287262166995141465048508201953575582100565462316088"
NUL = "19015470973684177829729219287262166995141465048508201953575582100565462316088"


def test_g5_refuses_books_it_cannot_trust(fake):
    """Another token's book, a size-0 best bid, an id holding \\u0000, an HTTP/0.9 reply: each is
    a refusal (never a pass, never an exception); fetching them is an error saying why."""
    fake.set_state(
        books={
            TOKEN: book(bids=[("0.95", "10")], asks=[("0.96", "10")], token=OTHER),
            ZERO: book(bids=[("0.05", "10"), ("0.95", "0")], asks=[("0.99", "1"), ("0.06", "0")], token=ZERO),
            NUL: dict(book(bids=[("0.5", "1")], asks=[], token=NUL), hash="ab\x00cd"),
        }
    )
    client = fake.client(max_attempts=1)

    mismatch = pmingest.verify_orderbook_price(client, TOKEN, Decimal("0.95"))
    assert mismatch.is_valid is False and mismatch.actual_best_bid is None
    assert TOKEN in mismatch.reason and OTHER in mismatch.reason
    with pytest.raises(pmingest.PmBookInvalid, match=OTHER):
        client.fetch_orderbook(TOKEN)
    with pytest.raises(pmingest.PmBookInvalid, match=OTHER):
        client.fetch_orderbooks([TOKEN])

    zero = pmingest.verify_orderbook_price(client, ZERO, Decimal("0.95"))
    assert (zero.is_valid, zero.actual_best_bid) == (False, Decimal("0.05"))
    fetched = client.fetch_orderbook(ZERO)
    assert [level.price for level in fetched.bids] == [Decimal("0.05")]
    assert [level.price for level in fetched.asks] == [Decimal("0.99")]

    with pytest.raises(pmingest.PmParseError, match="NUL"):
        client.fetch_orderbook(NUL)
    assert pmingest.verify_orderbook_price(client, NUL, Decimal("0.5")).is_valid is False

    fake.faults({"path": "/clob/book", "http09": True})
    http09 = pmingest.verify_orderbook_price(client, ZERO, Decimal("0.05"))
    assert http09.is_valid is False and http09.actual_best_bid is None and http09.reason
    with pytest.raises(pmingest.PmNetworkError):
        client.fetch_orderbook(ZERO)


@pytest.mark.parametrize("token", ["..", "/", "12a", "tok1", "1" * 79, " 12"])
def test_token_ids_are_digits_refused_before_any_request(fake, token):
    client = fake.client()
    fetcher = pmingest.TradeFetcher(client)
    calls = [
        lambda: client.fetch_orderbook(token),
        lambda: client.fetch_orderbooks([TOKEN, token]),
        lambda: client.fetch_trades(token),
        lambda: pmingest.verify_orderbook_price(client, token, Decimal("0.5")),
        lambda: fetcher.fetch_recent_trades(token),
        lambda: pmingest.fetch_recent_trades(client, token),
    ]
    for call in calls:
        with pytest.raises(pmingest.PmInvalidArgument, match="token_id"):
            call()
    assert fake.requests() == []


# ---------------------------------------------------------------------------------------------
# Markets, books, pagination, MetadataSync
# ---------------------------------------------------------------------------------------------


def test_markets_and_fetch_market(fake):
    fake.seed("basic")
    client = fake.client()
    markets = client.fetch_active_markets()
    assert len(markets) == 4 and all(m.active and not m.closed for m in markets)
    a = next(m for m in markets if m.condition_id == A_CONDITION)
    assert a.id == "512345"
    assert a.tokens == (pmingest.MarketToken(A_YES, "Yes"), pmingest.MarketToken(A_NO, "No"))
    assert a.token_ids == (A_YES, A_NO)
    assert (a.tick_size, a.min_order_size, a.neg_risk) == (Decimal("0.01"), Decimal("5"), False)
    assert a.end_date is not None and a.end_date.tzinfo is not None
    assert a.question and a.slug
    assert any(m.neg_risk for m in markets)
    assert_exact_types(markets)

    assert client.fetch_market(A_CONDITION) == a
    assert client.fetch_market(UNKNOWN_CONDITION) is None
    d = client.fetch_market(D_CONDITION)
    assert d is not None and d.closed and not d.accepting_orders


def test_pagination_follows_clamped_pages(fake):
    fake.seed("basic")
    fake.config(gamma_limit_max=2)
    markets = fake.client().fetch_active_markets()
    assert len(markets) == 4
    assert len({m.condition_id for m in markets}) == 4
    assert len(fake.requests("/gamma/markets/keyset")) == 2  # 2 per page, the second without a cursor


def test_orderbooks(fake):
    fake.seed("basic")
    client = fake.client()
    single = client.fetch_orderbook(C_YES)
    assert single.token_id == C_YES and single.tick_size == Decimal("0.005")
    assert single.timestamp is not None and single.hash
    assert single.best_bid.price < single.best_ask.price
    bids = [level.price for level in single.bids]
    asks = [level.price for level in single.asks]
    assert bids == sorted(bids, reverse=True) and asks == sorted(asks)
    assert_exact_types(single)

    books = client.fetch_orderbooks([A_NO, "999", A_YES])
    assert [b.token_id for b in books] == [A_NO, A_YES]  # request order, unknown left out
    assert books[1] == client.fetch_orderbook(A_YES)
    assert client.fetch_orderbooks([]) == []
    with pytest.raises(TypeError):
        client.fetch_orderbooks(A_YES)


def test_empty_book_sides_have_no_best_level(fake):
    fake.set_state(books={TOKEN: book(bids=[], asks=[])})
    fetched = fake.client().fetch_orderbook(TOKEN)
    assert (fetched.bids, fetched.asks, fetched.best_bid, fetched.best_ask) == ((), (), None, None)


def test_metadata_sync_is_incremental(fake, db):
    fake.seed("basic")
    sync = pmingest.MetadataSync(fake.client(), db)
    first = sync.sync()
    assert first == pmingest.SyncReport(markets=4, inserted=8, updated=0, unchanged=0)
    second = sync.sync()
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, 8)
    stored = pmingest.TokenMetaRepository(db).get(A_YES)
    assert stored is not None
    assert (stored.condition_id, stored.outcome, stored.tick_size, stored.active) == (
        A_CONDITION,
        "Yes",
        Decimal("0.01"),
        True,
    )
    assert pmingest.TokenMetaRepository(db).get(D_YES) is None  # closed markets are not synced


def test_endless_listing_stops_at_the_page_budget(fake, db):
    """A Gamma that answers fresh markets on every page (the fake's gamma_endless) is stopped by
    the page budget with a clear error; MetadataSync inherits the bound and writes nothing."""
    fake.config(gamma_endless=True, gamma_limit_max=2)
    client = fake.client(listing_max_pages=5, rate_limit=False)
    with pytest.raises(pmingest.PmTooLargeError) as caught:
        client.fetch_active_markets()
    message = str(caught.value)
    assert "listing_max_pages" in message and "5 pages" in message and "10 markets" in message
    assert len(fake.requests("/gamma/markets/keyset")) == 5
    with pytest.raises(pmingest.PmTooLargeError):
        pmingest.MetadataSync(client, db).sync()
    assert pmingest.TokenMetaRepository(db).list() == []


def test_endless_listing_stops_at_the_time_budget(fake):
    fake.config(gamma_endless=True, gamma_limit_max=2)
    client = fake.client(listing_max_pages=2**31 - 1, listing_timeout_ms=1000, rate_limit=False)
    with pytest.raises(pmingest.PmTimeoutError) as caught:
        client.fetch_active_markets()
    assert "listing_timeout_ms" in str(caught.value) and "1000 ms" in str(caught.value)


def test_hanging_page_ends_at_the_time_budget(fake):
    """The time budget cancels the request in flight: a page that never answers ends the listing
    long before the request's own 60 s timeout and retries would."""
    fake.seed("basic")
    fake.faults({"path": "/gamma/markets/keyset", "hang": True})
    client = fake.client(total_timeout_ms=60_000, listing_timeout_ms=1000)
    with pytest.raises(pmingest.PmTimeoutError) as caught:
        client.fetch_active_markets()
    assert "listing_timeout_ms" in str(caught.value)
    assert len(fake.requests("/gamma/markets/keyset")) == 1


def test_metadata_sync_saves_trades_and_moves_watermarks(fake, db):
    now = int(time.time())
    set_trades(
        fake, trade_row(30, "0.5", tx="0x1", now=now), trade_row(10, "0.51", tx="0x2", now=now)
    )
    client = fake.client()
    sync = pmingest.MetadataSync(client, db)
    trades = pmingest.TradeFetcher(client).fetch_recent_trades(TOKEN)
    assert sync.save_trades(trades) == 2
    assert sync.save_trades(trades) == 0  # idempotent
    (watermark,) = sync.update_watermark(trades)
    assert watermark.condition_id == CONDITION
    assert watermark.last_trade_timestamp == datetime.fromtimestamp(now - 10, tz=timezone.utc)
    older = datetime.fromtimestamp(now - 1000, tz=timezone.utc)
    assert (
        sync.update_watermark(CONDITION, older).last_trade_timestamp
        == watermark.last_trade_timestamp
    )
    assert pmingest.TradeWatermarkRepository(db).get(CONDITION) is not None
    with pytest.raises(TypeError):
        sync.update_watermark(CONDITION)


# ---------------------------------------------------------------------------------------------
# Transport errors and retries
# ---------------------------------------------------------------------------------------------


def test_two_503_then_success_is_three_requests(fake):
    fake.seed("basic")
    fake.faults({"method": "GET", "path": "/clob/book", "times": 2, "status": 503})
    fetched = fake.client().fetch_orderbook(A_YES)
    assert fetched.token_id == A_YES
    assert [r["fault"] for r in fake.requests("/clob/book")] == [0, 0, None]


def test_retries_run_out_with_an_http_error(fake):
    fake.faults({"path": "/clob/book", "status": 503})
    with pytest.raises(pmingest.PmHTTPError, match="503"):
        fake.client(max_attempts=2).fetch_orderbook(A_YES)
    assert len(fake.requests("/clob/book")) == 2


def test_missing_book_is_book_invalid(fake):
    fake.seed("basic")
    with pytest.raises(pmingest.PmNoOrderBook) as caught:  # a PmBookInvalid
        fake.client().fetch_orderbook(D_YES)  # D has no book: 404
    assert "404" in caught.value.message
    assert len(fake.requests("/clob/book")) == 1  # a 4xx is never retried


def test_cloudflare_403_is_an_http_error_naming_status_and_title(fake):
    fake.seed("basic")
    fake.faults({"path": "/gamma/*", "times": 1, "preset": "cloudflare_403"})
    with pytest.raises(pmingest.PmHTTPError) as caught:
        fake.client().fetch_active_markets()
    message = str(caught.value)
    assert caught.value.status == 5
    assert "403" in message
    assert "Sorry, you have been blocked" in message or "Attention Required" in message
    assert "<html" not in message.lower()
    assert len(fake.requests("/gamma/markets/keyset")) == 1


def test_hang_with_small_timeouts_is_a_timeout(fake):
    fake.faults({"path": "/clob/book", "hang": True})
    client = fake.client(connect_timeout_ms=300, total_timeout_ms=300, max_attempts=2)
    started = time.monotonic()
    with pytest.raises(pmingest.PmTimeoutError):
        client.fetch_orderbook(A_YES)
    assert time.monotonic() - started < 3
    assert len(fake.requests("/clob/book")) == 2  # timeouts are retried


def test_oversize_response_is_too_large(fake):
    fake.seed("basic")
    fake.faults({"path": "/clob/book", "oversize_bytes": 300_000})
    with pytest.raises(pmingest.PmTooLargeError):
        fake.client(max_response_bytes=64 * 1024).fetch_orderbook(A_YES)


def test_garbage_bodies_are_parse_errors(fake):
    fake.faults(
        {"path": "/clob/book", "body": '{"asset_id": [1,2,'},
        {"path": "/gamma/markets/keyset", "body": "<html>oops</html>"},
    )
    client = fake.client()
    with pytest.raises(pmingest.PmParseError):
        client.fetch_orderbook(A_YES)
    with pytest.raises(pmingest.PmParseError):
        client.fetch_active_markets()


def test_connection_refused_is_a_network_error():
    # a port nobody listens on (bound, then closed)
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = pmingest.PolymarketClient(
        clob_url=f"http://127.0.0.1:{port}",
        connect_timeout_ms=500,
        total_timeout_ms=500,
        max_attempts=1,
    )
    with client, pytest.raises(pmingest.PmNetworkError):
        client.fetch_orderbook(A_YES)


def test_errors_raised_in_worker_threads_carry_their_own_message(fake):
    """The last-error slot is thread-local: each thread's exception names its own failure."""
    fake.seed("basic")
    client = fake.client()
    fake.faults({"path": "/clob/book", "query": {"token_id": A_NO}, "status": 418})
    outcomes = {}

    def fetch(token: str) -> None:
        for _ in range(5):
            try:
                client.fetch_orderbook(token)
                outcomes.setdefault(token, set()).add("ok")
            except pmingest.PmError as error:
                outcomes.setdefault(token, set()).add(
                    f"{type(error).__name__}:{'HTTP 418' in error.message}"
                )

    threads = [threading.Thread(target=fetch, args=(token,)) for token in (A_YES, A_NO, D_YES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == {
        A_YES: {"ok"},
        A_NO: {"PmHTTPError:True"},
        D_YES: {"PmNoOrderBook:False"},
    }


# ---------------------------------------------------------------------------------------------
# Cancellation, Ctrl-C, close
# ---------------------------------------------------------------------------------------------


def _after_request(fake, path, action, count=1):
    """A thread that runs action() once the server has logged `count` requests to `path`."""

    def run() -> None:
        fake.wait_for_request(path, count)
        time.sleep(0.05)
        action()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_cancel_from_another_thread(fake):
    fake.faults({"path": "/clob/book", "times": 1, "hang": True})
    fake.seed("basic")
    client = fake.client(total_timeout_ms=30_000)
    canceller = _after_request(fake, "/clob/book", client.cancel)
    started = time.monotonic()
    with pytest.raises(pmingest.PmCancelled):
        client.fetch_orderbook(A_YES)
    assert time.monotonic() - started < 3
    canceller.join()
    assert len(fake.requests("/clob/book")) == 1  # a cancellation is never retried
    assert client.fetch_orderbook(A_YES).token_id == A_YES  # later calls run normally


def test_cancel_a_call_running_on_a_background_thread(fake):
    fake.faults({"path": "/gamma/markets/keyset", "times": 1, "hang": True})
    client = fake.client(total_timeout_ms=30_000)
    caught = []

    def run() -> None:
        try:
            client.fetch_active_markets()
        except BaseException as error:
            caught.append(error)

    worker = threading.Thread(target=run)
    worker.start()
    fake.wait_for_request("/gamma/markets/keyset")
    time.sleep(0.05)
    client.cancel()
    worker.join(3)
    assert not worker.is_alive()
    assert len(caught) == 1 and isinstance(caught[0], pmingest.PmCancelled)


def _interrupt_with_interrupt_main() -> None:
    _thread.interrupt_main()


def _interrupt_with_sigint() -> None:
    signal.raise_signal(signal.SIGINT)


@pytest.mark.parametrize("interrupt", [_interrupt_with_interrupt_main, _interrupt_with_sigint])
def test_ctrl_c_interrupts_a_hung_call_and_the_client_stays_usable(fake, interrupt):
    assert threading.current_thread() is threading.main_thread()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    fake.seed("basic")
    fake.faults({"path": "/clob/book", "times": 1, "hang": True})
    client = fake.client(total_timeout_ms=30_000)
    fired = []

    def fire() -> None:
        fired.append(time.monotonic())
        interrupt()

    interrupter = _after_request(fake, "/clob/book", fire)
    with pytest.raises(KeyboardInterrupt):
        client.fetch_orderbook(A_YES)
    raised = time.monotonic()
    interrupter.join()
    assert fired and raised - fired[0] < 1.0
    # no worker thread per call (there is none left running): the cancelled call returned on
    # this thread before KeyboardInterrupt was raised
    assert not [
        t for t in threading.enumerate() if t.name == "pmingest-blocking-call" and t.is_alive()
    ]
    assert client.fetch_orderbook(A_YES).token_id == A_YES
    assert len(fake.requests("/clob/book")) == 2


def test_ctrl_c_during_a_fetcher_call(fake):
    fake.set_state(market_by_token={TOKEN: CONDITION}, trades=[])
    fake.faults({"path": "/data/trades", "times": 1, "hang": True})
    client = fake.client(total_timeout_ms=30_000)
    fetcher = pmingest.TradeFetcher(client)
    interrupter = _after_request(fake, "/data/trades", _thread.interrupt_main)
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        fetcher.fetch_recent_trades(TOKEN)
    interrupter.join()
    assert time.monotonic() - started < 3
    assert fetcher.fetch_recent_trades(TOKEN) == []


def test_interruptible_carries_results_and_exceptions_back():
    """The work runs on the calling thread: no thread is started per call (the one long-lived
    SIGINT watcher at most, once), and results and exceptions come back unchanged."""
    _blocking.interruptible(lambda: None, lambda: None)  # the watcher, if any, exists now
    before = threading.active_count()
    ran_on = []
    assert _blocking.interruptible(lambda: None, lambda: ran_on.append(threading.get_ident())) is None
    assert ran_on == [threading.get_ident()] and threading.active_count() == before
    calls = []
    result = _blocking.interruptible(lambda: calls.append("cancel"), lambda: 42)
    assert result == 42 and calls == []
    with pytest.raises(ZeroDivisionError):
        _blocking.interruptible(lambda: None, lambda: 1 / 0)


def test_interruptible_cancels_the_work_before_reraising_ctrl_c():
    """The waiter must see the worker as running after Ctrl-C and cancel it. (A waiter that
    joined the thread would not on CPython 3.11: an interrupted Thread.join() marks the running
    thread as stopped, gh-90882, so the call was never cancelled.)"""
    released = threading.Event()
    cancels = []
    finished = []

    def work() -> str:
        released.wait(10)  # a "hung C call" that only cancel() ends
        finished.append(time.monotonic())
        return "cancelled"

    def cancel() -> None:
        cancels.append(time.monotonic())
        released.set()

    timer = threading.Timer(0.2, _thread.interrupt_main)
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        _blocking.interruptible(cancel, work)
    reraised = time.monotonic()
    timer.join()
    assert cancels and finished and finished[0] <= reraised


def test_close_cancels_a_call_in_progress(fake):
    fake.faults({"path": "/clob/book", "times": 1, "hang": True})
    client = fake.client(total_timeout_ms=30_000)
    caught = []

    def run() -> None:
        try:
            client.fetch_orderbook(A_YES)
        except BaseException as error:
            caught.append(error)

    worker = threading.Thread(target=run)
    worker.start()
    fake.wait_for_request("/clob/book")
    started = time.monotonic()
    client.close()
    assert time.monotonic() - started < 2
    worker.join(3)
    assert len(caught) == 1 and isinstance(caught[0], pmingest.PmCancelled)


def test_use_after_close_is_a_value_error(fake, db):
    fake.seed("basic")
    client = fake.client()
    fetcher = pmingest.TradeFetcher(client)
    sync = pmingest.MetadataSync(client, db)
    with client:
        assert not client.closed
    assert client.closed and fetcher.closed
    client.close()  # idempotent
    fetcher.close()
    client.cancel()  # a no-op once closed
    for call in (
        client.fetch_active_markets,
        lambda: client.fetch_market(A_CONDITION),
        lambda: client.fetch_orderbook(A_YES),
        lambda: client.fetch_orderbooks([A_YES]),
        lambda: client.fetch_trades(A_YES),
        lambda: fetcher.fetch_recent_trades(A_YES),
        lambda: fetcher.fetch_trade_size_at_price(A_YES, Decimal("0.5")),
        lambda: pmingest.fetch_recent_trades(client, A_YES),
        lambda: pmingest.verify_orderbook_price(client, A_YES, Decimal("0.5")),
        sync.sync,
        lambda: pmingest.TradeFetcher(client),
    ):
        with pytest.raises(ValueError, match="closed"):
            call()
    with pytest.raises(ValueError):
        with client:
            pass


def test_a_closed_fetcher_leaves_its_client_open(fake):
    fake.set_state(market_by_token={TOKEN: CONDITION}, trades=[])
    client = fake.client()
    with pmingest.TradeFetcher(client) as fetcher:
        assert fetcher.fetch_recent_trades(TOKEN) == []
    with pytest.raises(ValueError, match="fetcher is closed"):
        fetcher.fetch_recent_trades(TOKEN)
    assert client.fetch_trades(TOKEN) == []


def test_fetcher_keeps_working_after_its_client_object_is_dropped(fake):
    import gc

    fake.set_state(market_by_token={TOKEN: CONDITION}, trades=[trade_row(5, "0.5")])
    fetcher = pmingest.TradeFetcher(
        pmingest.PolymarketClient(fake.gamma_url, fake.clob_url, fake.data_url)
    )
    gc.collect()
    assert len(fetcher.fetch_recent_trades(TOKEN)) == 1
    fetcher.client.close()


# ---------------------------------------------------------------------------------------------
# Arguments
# ---------------------------------------------------------------------------------------------


def test_bad_arguments(fake):
    client = fake.client()
    with pytest.raises(pmingest.PmInvalidArgument):
        client.fetch_trades(TOKEN, limit=0)
    with pytest.raises(TypeError):
        client.fetch_trades(int(TOKEN))
    with pytest.raises(pmingest.PmInvalidArgument):
        pmingest.TradeFetcher(client, max_age_seconds=-1)
    with pytest.raises(TypeError):
        pmingest.TradeFetcher(client, max_age_seconds=1.5)
    with pytest.raises(TypeError):
        pmingest.TradeFetcher("not a client")
    with pytest.raises(TypeError):
        pmingest.MetadataSync(client, "not a database")
    with pytest.raises(pmingest.PmInvalidArgument):
        client.fetch_orderbook("")
    with pytest.raises(pmingest.PmInvalidArgument):
        client.fetch_orderbook("12\x0034")


@pytest.mark.parametrize(
    "options",
    [
        {"connect_timeout_ms": 0},
        {"total_timeout_ms": -1},
        {"max_attempts": 0},
        {"max_response_bytes": 0},
        {"gamma_url": "not a url"},
        {"connect_timeout_ms": 2**31},
        {"listing_max_pages": 0},
        {"listing_timeout_ms": 0},
        {"listing_max_pages": 2**31},
    ],
)
def test_bad_client_options(options):
    with pytest.raises(pmingest.PmInvalidArgument):
        pmingest.PolymarketClient(**options)


def test_client_options_types():
    with pytest.raises(TypeError):
        pmingest.PolymarketClient(gamma_url=b"http://127.0.0.1:1")
    with pytest.raises(TypeError):
        pmingest.PolymarketClient(verify_tls=1)
    with pmingest.PolymarketClient("http://127.0.0.1:1/gamma", verify_tls=False) as client:
        assert "127.0.0.1:1/gamma" in repr(client)


def test_public_names():
    for name in (
        "PolymarketClient",
        "TradeFetcher",
        "fetch_recent_trades",
        "verify_orderbook_price",
        "MetadataSync",
        "Market",
        "MarketToken",
        "OrderBook",
        "OrderBookLevel",
        "SyncReport",
        "PolymarketTrade",
    ):
        assert name in pmingest.__all__ and hasattr(pmingest, name)
    for cls in (pmingest.Market, pmingest.MarketToken, pmingest.OrderBook, pmingest.OrderBookLevel):
        assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen


def test_library_log_reaches_python_logging(fake, caplog):
    """A retry is logged by the library on its HTTP thread and arrives in `logging` as a warning
    from the `pmingest.http` logger."""
    import logging

    fake.seed("basic")
    fake.faults({"path": "/clob/book", "times": 1, "status": 503, "headers": {"Retry-After": "0"}})
    with caplog.at_level(logging.WARNING, logger="pmingest"):
        fake.client().fetch_orderbook(A_YES)
    lines = [r for r in caplog.records if r.name == "pmingest.http" and fake.id in r.getMessage()]
    assert lines and lines[0].levelno == logging.WARNING and "HTTP 503" in lines[0].getMessage()
    pmingest.set_log_level(logging.ERROR)
    pmingest.set_log_level(logging.WARNING)
    with pytest.raises(TypeError):
        pmingest.set_log_level("debug")


class _ReconfiguringHandler:
    """A logging handler whose emit() calls pmingest.set_log_level for this session's records
    (and, with `hold`, runs `hold()` while it holds its own lock)."""

    def __init__(self, session_id, hold=None):
        import logging

        outer = self

        class Handler(logging.Handler):
            def emit(self, record):
                try:
                    if record.name.startswith("pmingest") and session_id in record.getMessage():
                        outer.seen.append(record.getMessage())
                        pmingest.set_log_level(logging.DEBUG)
                        pmingest.set_log_level(logging.WARNING)
                    elif record.name == "app.reconfigure" and hold is not None:
                        hold()
                except BaseException as error:  # noqa: BLE001 - recorded, checked by the test
                    outer.errors.append(error)

        self.seen = []
        self.errors = []
        self.handler = Handler()


def _run_bounded(target, seconds=30.0):
    """Runs target on a daemon thread; True when it finished (a liveness bound: a deadlocked
    call never does)."""
    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(seconds)
    return not worker.is_alive()


def test_handler_reconfiguring_logging_inside_a_library_record_does_not_deadlock(fake):
    """A handler receiving a pmingest record (on the thread the library logs from) calls
    set_log_level: it must not deadlock, and must not raise."""
    import logging

    fake.seed("basic")
    fake.faults({"path": "/clob/book", "times": 1, "status": 503, "headers": {"Retry-After": "0"}})
    client = fake.client()
    reconfigure = _ReconfiguringHandler(fake.id)
    logger = logging.getLogger("pmingest")
    logger.addHandler(reconfigure.handler)
    finished = _run_bounded(lambda: client.fetch_orderbook(A_YES))
    logger.removeHandler(reconfigure.handler)
    assert finished, "deadlocked: the library's log is stuck"  # (restoring the level would hang too)
    pmingest.set_log_level(logging.WARNING)
    assert reconfigure.seen and "HTTP 503" in reconfigure.seen[0]
    assert reconfigure.errors == []


def test_handler_reconfiguring_logging_while_a_library_record_waits_does_not_deadlock(fake):
    """Thread A's handler holds its lock (emitting an app record) and calls set_log_level while
    thread B's pmingest record is being delivered and waits for that same handler lock."""
    import logging

    fake.seed("basic")
    fake.faults({"path": "/clob/book", "times": 1, "status": 503, "headers": {"Retry-After": "0"}})
    client = fake.client()
    library_call = []

    def hold():  # runs inside emit, with the handler's lock held
        worker = threading.Thread(target=lambda: client.fetch_orderbook(A_YES), daemon=True)
        library_call.append(worker)
        worker.start()
        time.sleep(0.5)  # lets the worker's retry line reach the handler lock (ordering, not timing)
        pmingest.set_log_level(logging.DEBUG)
        pmingest.set_log_level(logging.WARNING)

    reconfigure = _ReconfiguringHandler(fake.id, hold=hold)
    for name in ("pmingest", "app.reconfigure"):
        logging.getLogger(name).addHandler(reconfigure.handler)
    finished = _run_bounded(lambda: logging.getLogger("app.reconfigure").warning("reconfigure now"))
    if finished:
        library_call[0].join(30)
        finished = not library_call[0].is_alive()
    for name in ("pmingest", "app.reconfigure"):
        logging.getLogger(name).removeHandler(reconfigure.handler)
    assert finished, "deadlocked: the library's log is stuck"  # (restoring the level would hang too)
    pmingest.set_log_level(logging.WARNING)
    assert reconfigure.errors == []
    assert reconfigure.seen and "HTTP 503" in reconfigure.seen[0]
