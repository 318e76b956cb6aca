"""Self-tests of the fake's Gamma keyset paging (fakepolymarket/keyset.py; docs/wire/gamma.md)."""

from __future__ import annotations

import json
import urllib.parse

from test_server import client, mk_market, sess, server  # noqa: F401  (pytest fixtures)

from fakepolymarket.keyset import cursor_for, offset_of


def v2_market(i, ids_in_string=False, **over):
    ids = [str(3 * 10 ** 77 + 2 * i), str(3 * 10 ** 77 + 2 * i + 1)]
    m = mk_market(i, version="v2", positionIds=json.dumps(ids) if ids_in_string else ids, **over)
    m["clobTokenIds"] = json.dumps(["1", "2"])  # a stale v1 copy beside it: never the v2 ids
    return m


def mk_event(i, markets, **over):
    e = {"id": str(900 + i), "slug": f"event-{i}", "title": f"Event {i}", "active": True, "closed": False,
         "markets": markets, "liquidity": 12.5}
    e.update(over)
    return e


def walk(sess, path, **params):
    """Every page of a keyset walk, following next_cursor as after_cursor."""
    pages, cursor = [], None
    while True:
        query = dict(params)
        if cursor:
            query["after_cursor"] = cursor
        page = sess.get_json(path + "?" + urllib.parse.urlencode(query))
        pages.append(page)
        cursor = page.get("next_cursor")
        if not cursor or len(pages) > 50:
            return pages


def test_cursor_round_trip_and_refusal():
    assert offset_of(cursor_for(0)) == 0 and offset_of(cursor_for(12345)) == 12345
    assert cursor_for(2) == "b2Zmc2V0OjI"   # what the Swift fault matrix names
    assert offset_of("not a cursor!") is None and offset_of("aGVsbG8") is None


def test_markets_keyset_envelope_paging_and_missing_end_cursor(sess):
    sess.state(markets=[mk_market(i) for i in range(5)])
    pages = walk(sess, "/gamma/markets/keyset", limit=2)
    assert [len(p["markets"]) for p in pages] == [2, 2, 1]
    assert "next_cursor" not in pages[-1]                      # the end: the cursor is missing
    assert [m["id"] for p in pages for m in p["markets"]] == [str(i) for i in range(5)]
    assert [r["query"].get("after_cursor") for r in sess.requests("/gamma/markets/keyset")] == \
        [None, [cursor_for(2)], [cursor_for(4)]]


def test_end_cursor_null_or_empty(sess):
    sess.state(markets=[mk_market(i) for i in range(3)], config={"gamma_keyset_end": "null"})
    assert walk(sess, "/gamma/markets/keyset", limit=2)[-1]["next_cursor"] is None
    sess.control("POST", "/config", {"gamma_keyset_end": "empty"})
    assert walk(sess, "/gamma/markets/keyset", limit=2)[-1]["next_cursor"] == ""
    sess.control("POST", "/config", {"gamma_keyset_end": "nope"}, expect=400)


def test_cursor_parameter_is_ignored_and_offset_refused(sess):
    sess.state(markets=[mk_market(i) for i in range(4)])
    first = sess.get_json("/gamma/markets/keyset?limit=2")
    again = sess.get_json(f"/gamma/markets/keyset?limit=2&cursor={first['next_cursor']}")
    assert again == first                                        # `cursor=` answers page 1 again
    second = sess.get_json(f"/gamma/markets/keyset?limit=2&after_cursor={first['next_cursor']}")
    assert [m["id"] for m in second["markets"]] == ["2", "3"]
    assert sess.get("/gamma/markets/keyset?offset=2")[0] == 400
    assert sess.get("/gamma/markets/keyset?after_cursor=%21%21")[0] == 400


def test_silent_clamps(sess):
    sess.state(markets=[mk_market(i) for i in range(150)],
               events=[mk_event(i, []) for i in range(150)])
    assert len(sess.get_json("/gamma/markets/keyset?limit=500")["markets"]) == 100
    assert len(sess.get_json("/gamma/events/keyset?limit=500")["events"]) == 100   # events max 100
    assert len(sess.get_json("/gamma/events/keyset")["events"]) == 100
    sess.control("POST", "/config", {"gamma_limit_max": 7})
    assert len(sess.get_json("/gamma/markets/keyset?limit=50")["markets"]) == 7  # the /markets clamp too


def test_closed_defaults_to_false(sess):
    sess.state(markets=[mk_market(1), mk_market(2, closed=True, active=False)],
               events=[mk_event(1, []), mk_event(2, [], closed=True)])
    assert [m["id"] for m in sess.get_json("/gamma/markets/keyset")["markets"]] == ["1"]
    assert [m["id"] for m in sess.get_json("/gamma/markets/keyset?closed=true")["markets"]] == ["2"]
    assert [e["id"] for e in sess.get_json("/gamma/events/keyset")["events"]] == ["901"]
    assert [e["id"] for e in sess.get_json("/gamma/events/keyset?closed=true")["events"]] == ["902"]
    assert sess.get("/gamma/events/keyset?closed=maybe")[0] == 400


def test_v2_markets_served_verbatim_and_found_by_position_ids(sess):
    markets = [v2_market(1), v2_market(2, ids_in_string=True), mk_market(3, version="v1")]
    sess.state(markets=markets)
    served = sess.get_json("/gamma/markets/keyset")["markets"]
    assert served == markets
    assert isinstance(served[0]["positionIds"], list) and isinstance(served[1]["positionIds"], str)
    token = str(3 * 10 ** 77 + 4)   # market 2's first position id (in the JSON-in-string form)
    assert [m["id"] for m in sess.get_json(f"/gamma/markets?clob_token_ids={token}")] == ["2"]
    assert sess.get_json("/gamma/markets?clob_token_ids=1") == []   # the stale v1 copy is not its id


def test_events_keyset_and_legacy_events(sess):
    sess.state(events=[mk_event(i, [v2_market(i)]) for i in range(3)])
    pages = walk(sess, "/gamma/events/keyset", limit=2)
    assert [[e["id"] for e in p["events"]] for p in pages] == [["900", "901"], ["902"]]
    assert pages[0]["events"][0]["markets"][0]["version"] == "v2"
    assert [e["id"] for e in sess.get_json("/gamma/events?limit=2&offset=1")] == ["901", "902"]
    assert sess.get_json("/gamma/events?slug=event-2")[0]["id"] == "902"


def test_keyset_can_be_scripted_away(sess):
    sess.state(markets=[mk_market(1)], config={"gamma_keyset": False})
    assert sess.get("/gamma/markets/keyset")[0] == 404
    assert sess.get("/gamma/events/keyset")[0] == 404
    assert len(sess.get_json("/gamma/markets")) == 1                    # the legacy listing stays
    sess.control("POST", "/config", {"gamma_keyset": True})
    sess.faults({"path": "/gamma/markets/keyset", "times": 1, "status": 404})   # or by a fault rule
    assert sess.get("/gamma/markets/keyset")[0] == 404
    assert sess.get("/gamma/markets/keyset")[0] == 200


def test_repeating_cursor(sess):
    sess.state(markets=[mk_market(i) for i in range(6)], config={"gamma_keyset_cursor_repeat": True})
    first = sess.get_json("/gamma/markets/keyset?limit=2")
    second = sess.get_json(f"/gamma/markets/keyset?limit=2&after_cursor={first['next_cursor']}")
    assert second["next_cursor"] == first["next_cursor"] == cursor_for(2)
    assert [m["id"] for m in second["markets"]] == ["2", "3"]


def test_endless_keyset_never_ends(sess):
    sess.control("POST", "/config", {"gamma_endless": True, "gamma_limit_max": 3})
    seen, cursor = set(), None
    for _ in range(5):
        page = sess.get_json("/gamma/markets/keyset" + (f"?after_cursor={cursor}" if cursor else ""))
        assert len(page["markets"]) == 3 and page["next_cursor"] and page["next_cursor"] != cursor
        cursor = page["next_cursor"]
        seen.update(m["conditionId"] for m in page["markets"])
    assert len(seen) == 15
