"""``PmError.http_status``: the HTTP status behind a failure, from the library
(pm_last_error_http_status), read on the calling thread with the message; None when the failure
had no HTTP answer. ``status`` stays the pm_status number."""

from __future__ import annotations

import pickle
import threading

import pytest

import pmingest

A_YES = "144025376118479892262749490880200562967355458335621099086839387638815271716888"
D_YES = "110436092679328050248773699021512577829689879253169394784141881484429816963284"


def test_http_errors_carry_their_status(fake):
    fake.seed("basic")
    client = fake.client(max_attempts=1)
    fake.faults({"method": "GET", "path": "/clob/book", "times": 1, "status": 400})
    with pytest.raises(pmingest.PmHTTPError) as caught:
        client.fetch_orderbook(A_YES)
    assert caught.value.http_status == 400
    assert caught.value.status == 5  # the pm_status, as before
    fake.faults({"method": "GET", "path": "/clob/book", "times": 1, "status": 503})
    with pytest.raises(pmingest.PmHTTPError) as caught:
        client.fetch_orderbook(A_YES)
    assert caught.value.http_status == 503
    with pytest.raises(pmingest.PmNoOrderBook) as no_book:
        client.fetch_orderbook(D_YES)  # no book: the CLOB's 404
    assert no_book.value.http_status == 404


def test_failures_without_an_http_answer_have_none(fake, tmp_path):
    fake.seed("basic")
    dead = pmingest.PolymarketClient(clob_url="http://127.0.0.1:1/clob", max_attempts=1)
    try:
        with pytest.raises(pmingest.PmNetworkError) as caught:
            dead.fetch_orderbook(A_YES)
        assert caught.value.http_status is None
    finally:
        dead.close()
    with pytest.raises(pmingest.PmInvalidArgument) as bad:
        fake.client().fetch_orderbook("not digits")
    assert bad.value.http_status is None
    with pytest.raises(pmingest.PmParseError) as parse:
        pmingest.parse_decimal("abc")
    assert parse.value.http_status is None


def test_each_thread_reads_its_own_status(fake):
    fake.seed("basic")
    client = fake.client(max_attempts=1)
    fake.faults({"method": "GET", "path": "/clob/book", "query": {"token_id": A_YES}, "status": 418})
    seen: dict = {}

    def work(token: str) -> None:
        for _ in range(20):
            try:
                client.fetch_orderbook(token)
            except pmingest.PmError as error:
                seen.setdefault(token, set()).add(error.http_status)

    threads = [threading.Thread(target=work, args=(token,)) for token in (A_YES, D_YES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert seen == {A_YES: {418}, D_YES: {404}}


def test_http_status_survives_pickling_and_defaults_to_none():
    error = pmingest.PmHTTPError("GET /book: HTTP 429", http_status=429)
    copy = pickle.loads(pickle.dumps(error))
    assert (type(copy), copy.status, copy.http_status, copy.message) == (
        pmingest.PmHTTPError, 5, 429, "GET /book: HTTP 429"
    )
    assert pmingest.PmHTTPError("x").http_status is None


def test_value_errors_are_value_errors():
    for cls in (pmingest.PmInvalidArgument, pmingest.PmInvalidUTF8, pmingest.PmParseError, pmingest.PmRangeError):
        assert issubclass(cls, ValueError) and issubclass(cls, pmingest.PmError)
    assert not issubclass(pmingest.PmHTTPError, ValueError)
