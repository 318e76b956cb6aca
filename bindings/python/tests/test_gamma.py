"""Gamma through the binding: Market.protocol_version (asset ids chosen by `version`), keyset
listings (cursor, fallback, cycles), PolymarketClient.fetch_events, and the protocol version in
the store (PolymarketTokenMeta.protocol_version). Against the fake (docs/wire/gamma.md)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

import pmingest

V1_YES, V1_NO = "71321045679252212594626385532706912750332728571942532289631379312455583992563", "5211"
V2_YES, V2_NO = "3" + "0" * 75 + "01", "3" + "0" * 75 + "02"
V2S_YES, V2S_NO = "3" + "0" * 75 + "03", "3" + "0" * 75 + "04"


def cond(n: int) -> str:
    return "0x" + f"{n:064x}"


def market(n: int, version=None, ids=None, as_string=False, **over) -> dict:
    m = {"id": str(n), "conditionId": cond(n), "question": f"Q{n}?", "active": True, "closed": False,
         "outcomes": '["Yes", "No"]', "orderPriceMinTickSize": 0.005, "orderMinSize": 5,
         "feesEnabled": True, "feeSchedule": {"rate": "0.02"}, "umaResolutionStatuses": "[]",
         "volume24hrClob": 1.5, "liquidityClob": 2, "rfqEnabled": False, "eventStartTime": None}
    if version is not None:
        m["version"] = version
    if version == "v2":
        m["positionIds"] = json.dumps(ids) if as_string else ids
        m["clobTokenIds"] = '["1", "2"]'  # a stale v1 copy beside it: never the ids of a v2 market
    else:
        m["clobTokenIds"] = json.dumps(ids)
    m.update(over)
    return m


MARKETS = [
    market(1, ids=[V1_YES, V1_NO]),
    market(2, "v2", [V2_YES, V2_NO]),
    market(3, "v2", [V2S_YES, V2S_NO], as_string=True),
    market(4, "v2", ["77"], active=False, closed=True),
]


def test_markets_carry_their_protocol_version_and_the_right_ids(fake):
    fake.set_state(markets=MARKETS)
    fake.config(gamma_limit_max=1)
    markets = {m.condition_id: m for m in fake.client().fetch_active_markets()}
    assert set(markets) == {cond(1), cond(2), cond(3)}
    assert markets[cond(1)].protocol_version == "v1" and markets[cond(1)].token_ids == (V1_YES, V1_NO)
    assert markets[cond(2)].protocol_version == "v2" and markets[cond(2)].token_ids == (V2_YES, V2_NO)
    assert markets[cond(3)].protocol_version == "v2" and markets[cond(3)].token_ids == (V2S_YES, V2S_NO)
    assert markets[cond(2)].tick_size == Decimal("0.005") and isinstance(markets[cond(2)].tick_size, Decimal)
    keyset = fake.requests("/gamma/markets/keyset")
    assert len(keyset) == 3 and fake.requests("/gamma/markets") == []  # one a page, by cursor
    assert all("after_cursor" in r["query"] for r in keyset[1:])


@pytest.mark.parametrize(
    "row, words",
    [
        (market(9, "v3", ["5"]), ["market 9", "unknown protocol version"]),
        ({**market(9, ids=["5"]), "positionIds": ["5"]}, ["market 9", "positionIds"]),
        ({k: v for k, v in market(9, "v2", ["5"]).items() if k != "positionIds"}, ["positionIds"]),
    ],
    ids=["unknown version", "positionIds without version", "v2 without positionIds"],
)
def test_rows_the_version_rule_refuses(fake, row, words):
    fake.set_state(markets=MARKETS[:1] + [row])
    with pytest.raises(pmingest.PmParseError) as caught:
        fake.client().fetch_active_markets()
    assert all(word in str(caught.value) for word in words), str(caught.value)


def test_offset_fallback_only_without_keyset(fake):
    fake.set_state(markets=MARKETS)
    fake.config(gamma_keyset=False, gamma_limit_max=2)
    assert len(fake.client().fetch_active_markets()) == 3
    assert len(fake.requests("/gamma/markets/keyset")) == 1
    assert len(fake.requests("/gamma/markets")) == 3  # 2 + 2 + the empty page


def test_a_keyset_404_after_the_first_page_is_an_error(fake):
    fake.set_state(markets=MARKETS)
    fake.config(gamma_limit_max=1)
    fake.faults({"path": "/gamma/markets/keyset", "query": {"after_cursor": "b2Zmc2V0OjE"}, "status": 404})
    with pytest.raises(pmingest.PmHTTPError) as caught:
        fake.client().fetch_active_markets()
    assert "404" in str(caught.value)
    assert fake.requests("/gamma/markets") == []


def test_repeating_cursors_are_refused_not_looped(fake):
    fake.set_state(markets=MARKETS)
    fake.config(gamma_limit_max=1, gamma_keyset_cursor_repeat=True)
    with pytest.raises(pmingest.PmParseError) as caught:
        fake.client().fetch_active_markets()
    assert "cycle" in str(caught.value)


@pytest.mark.parametrize("end", ["missing", "null", "empty"])
def test_every_end_form_ends_the_listing(fake, end):
    fake.set_state(markets=MARKETS)
    fake.config(gamma_limit_max=2, gamma_keyset_end=end)
    assert len(fake.client().fetch_active_markets()) == 3


def test_fetch_events(fake):
    fake.set_state(
        events=[
            {"id": "9001", "slug": "will-y", "title": "Will Y?", "active": True, "closed": False,
             "liquidity": 12.5, "markets": MARKETS},
            {"id": "9002", "active": True, "closed": False},
            {"id": "9003", "slug": "done", "active": False, "closed": True, "markets": []},
        ]
    )
    fake.config(gamma_keyset_events_max=1)
    client = fake.client()
    events = client.fetch_events()
    assert [e.id for e in events] == ["9001", "9002"]
    first = events[0]
    assert isinstance(first, pmingest.GammaEvent)
    assert (first.slug, first.title, first.active, first.closed) == ("will-y", "Will Y?", True, False)
    assert [m.protocol_version for m in first.markets] == ["v1", "v2", "v2", "v2"]
    assert first.markets[1].token_ids == (V2_YES, V2_NO)
    assert first.markets[1].tick_size == Decimal("0.005")
    assert events[1].slug is None and events[1].title is None and events[1].markets == ()
    assert len(fake.requests("/gamma/events/keyset")) == 2  # clamped to one a page
    closed = client.fetch_events(closed=True)
    assert [(e.id, e.closed) for e in closed] == [("9003", True)]
    with pytest.raises(TypeError):
        client.fetch_events(closed="yes")  # type: ignore[arg-type]
    fake.config(gamma_keyset=False)
    assert [e.id for e in client.fetch_events()] == ["9001", "9002"]  # the legacy /events
    assert len(fake.requests("/gamma/events")) >= 1


def test_protocol_version_is_synced_and_stored(fake, db):
    fake.set_state(markets=MARKETS)
    report = pmingest.MetadataSync(fake.client(), db).sync()
    assert report.markets == 3
    repository = pmingest.TokenMetaRepository(db)
    assert repository.get(V2_NO).protocol_version == "v2"
    assert repository.get(V1_YES).protocol_version == "v1"

    meta = pmingest.PolymarketTokenMeta(token_id="12345", condition_id=cond(1), protocol_version="v2")
    assert repository.upsert(meta) == "inserted"
    assert repository.get("12345").protocol_version == "v2"
    assert repository.upsert(pmingest.PolymarketTokenMeta(token_id="12345", condition_id=cond(1))) == "updated"
    assert repository.get("12345").protocol_version is None
    with pytest.raises(pmingest.PmInvalidArgument) as caught:
        repository.upsert(pmingest.PolymarketTokenMeta(token_id="12345", condition_id=cond(1), protocol_version="v9"))
    assert "protocol_version" in str(caught.value)
