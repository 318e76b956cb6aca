"""Batch prices through the library against the fake CLOB: fetch_prices, fetch_midpoints,
fetch_last_trade_prices (exact Decimals keyed by token id, one request per 100 tokens)."""

from __future__ import annotations

from decimal import Decimal

import pytest

import pmingest

SWEEP = 2000
TOKENS = [str(1000001 + i) for i in range(SWEEP)]


def book(token: str) -> dict:
    return {"market": "0x" + "0" * 64, "asset_id": token, "timestamp": "1", "hash": "",
            "bids": [{"price": "0.01", "size": "5"}, {"price": "0.49", "size": "5"}],
            "asks": [{"price": "0.99", "size": "5"}, {"price": "0.525", "size": "5"}],
            "min_order_size": "5", "tick_size": "0.001", "neg_risk": False}


def test_a_sweep_of_2000_tokens_takes_20_requests_and_keeps_prices_exact(fake):
    with_book = TOKENS[::2]
    fake.set_state(books={t: book(t) for t in with_book},
                   trades=[{"asset": t, "price": 0.3, "side": "BUY" if i % 2 == 0 else "SELL",
                            "timestamp": 1767225600} for i, t in enumerate(with_book)])
    client = fake.client(rate_limit=False)

    bids = client.fetch_prices(TOKENS, "BUY")
    assert len(fake.requests("/clob/prices")) == 20
    assert len(bids) == SWEEP // 2 and set(bids) == set(with_book)
    assert bids[TOKENS[0]] == Decimal("0.49") and TOKENS[1] not in bids
    asks = client.fetch_prices(TOKENS, "sell")
    assert asks[TOKENS[0]] == Decimal("0.525")

    mids = client.fetch_midpoints(TOKENS)
    assert len(fake.requests("/clob/midpoints")) == 20
    assert mids == {t: Decimal("0.5075") for t in with_book}

    last = client.fetch_last_trade_prices(TOKENS + TOKENS[:5])
    assert len(fake.requests("/clob/last-trades-prices")) == 20
    assert last[TOKENS[0]] == pmingest.LastTradePrice(Decimal("0.3"), "BUY")
    assert last[TOKENS[2]].side == "SELL" and TOKENS[1] not in last and len(last) == SWEEP // 2


def test_bad_input_and_server_errors(fake):
    client = fake.client(rate_limit=False, max_attempts=1)
    assert client.fetch_midpoints([]) == {}
    assert client.fetch_last_trade_prices(["5"]) == {}
    with pytest.raises(TypeError):
        client.fetch_midpoints("1000001")
    with pytest.raises(ValueError):
        client.fetch_prices(["1000001"], "MID")
    with pytest.raises(pmingest.PmInvalidArgument, match=r"token_ids\[1\]"):
        client.fetch_prices(["1000001", "x"], "BUY")
    assert fake.requests("/clob/prices") == []
    fake.faults({"path": "/clob/last-trades-prices", "status": 503})
    with pytest.raises(pmingest.PmError):
        client.fetch_last_trade_prices(["1000001"])


def test_a_sweep_of_2000_books_takes_20_requests_in_request_order(fake):
    with_book = TOKENS[::2]
    fake.set_state(books={t: book(t) for t in with_book})
    client = fake.client(rate_limit=False)
    books = client.fetch_orderbooks(TOKENS)
    assert len(fake.requests("/clob/books")) == 20
    assert [b.token_id for b in books] == with_book
    assert max(level.price for level in books[0].bids) == Decimal("0.49")
