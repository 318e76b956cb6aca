"""Gamma API (market metadata): GET /gamma/markets and friends.  Shapes: docs/wire/gamma.md."""

from __future__ import annotations

import json

from . import keyset, util
from .response import Response, error, json_response, not_found


def handle(session, method: str, path: str, query: dict, body: bytes) -> Response:
    # `path` is what follows /gamma, e.g. "/markets".
    data, config = session.snapshot()
    if method != "GET":
        return not_found("/gamma" + path)
    paged = keyset.handle(session, path, query)
    if paged is not None:
        return paged
    if path in ("/markets", "/markets/"):
        if config["gamma_endless"] and not _is_lookup(query):
            return endless_page(session, config, query)
        return list_markets(data["markets"], config, query)
    if path.startswith("/markets/slug/"):
        slug = path[len("/markets/slug/"):]
        for m in data["markets"]:
            if m.get("slug") == slug:
                return json_response(m)
        return error(404, "market not found")
    if path.startswith("/markets/"):
        mid = path[len("/markets/"):]
        for m in data["markets"]:
            if str(m.get("id")) == mid:
                return json_response(m)
        return error(404, "market not found")
    return not_found("/gamma" + path)


def list_markets(markets: list, config: dict, query: dict) -> Response:
    limit, err = util.parse_int(query, "limit", config["gamma_limit_default"])
    if err:
        return error(400, err)
    offset, err = util.parse_int(query, "offset", 0)
    if err:
        return error(400, err)
    limit = min(limit, config["gamma_limit_max"])  # silent clamp, like the real service
    if config["gamma_offset_max"] is not None and offset > config["gamma_offset_max"]:
        return error(422, f"offset must be <= {config['gamma_offset_max']}")
    out, err_response = filter_markets(markets, config, query)
    if err_response is not None:
        return err_response
    return json_response(out[offset:offset + limit])


def filter_markets(markets: list, config: dict, query: dict):
    """(the markets the query's filters select, None) or (None, error Response)."""
    out = markets
    for flag in ("active", "closed", "archived"):
        want = util.parse_bool(query, flag)
        if want == "invalid":
            return None, error(400, f"invalid {flag}: expected true or false")
        if want is not None:
            out = [m for m in out if bool(m.get(flag, False)) is want]

    cids = util.split_csv(query.get("condition_ids"))
    if query.get("condition_ids") is not None:
        if len(cids) > config["gamma_condition_ids_max"]:
            return None, error(422, f"too many condition_ids: {len(cids)} > {config['gamma_condition_ids_max']}")
        want = {c.lower() for c in cids}
        out = [m for m in out if str(m.get("conditionId", "")).lower() in want]

    # clob_token_ids: REPEATED keys, one full id per value.  A comma-joined value is taken as one
    # (non-existent) id and matches nothing — the real API's quirk.
    toks = query.get("clob_token_ids")
    if toks is not None:
        want = set(toks)
        out = [m for m in out if want.intersection(util.market_token_ids(m))]

    ids = util.split_csv(query.get("id"))
    if ids:
        out = [m for m in out if str(m.get("id")) in set(ids)]
    slugs = util.split_csv(query.get("slug"))
    if slugs:
        out = [m for m in out if m.get("slug") in set(slugs)]
    return out, None


def _is_lookup(query: dict) -> bool:
    """A request for named markets (fetch by condition id, id, slug or token), not a listing."""
    return any(query.get(k) is not None for k in ("condition_ids", "clob_token_ids", "id", "slug"))


def endless_page(session, config: dict, query: dict) -> Response:
    """config gamma_endless: `limit` (clamped) new active markets, numbered from a per-session
    counter so no id ever repeats, whatever the offset; never an empty page."""
    limit, err = util.parse_int(query, "limit", config["gamma_limit_default"])
    if err:
        return error(400, err)
    _, err = util.parse_int(query, "offset", 0)
    if err:
        return error(400, err)
    limit = max(1, min(limit, config["gamma_limit_max"]))
    first = session.take_endless(limit)
    return json_response([endless_market(n) for n in range(first, first + limit)])


def endless_market(n: int) -> dict:
    """Market number n of the endless listing: decimal token ids, a 0x+64-hex condition id."""
    yes, no = 7 * 10 ** 76 + 2 * n, 7 * 10 ** 76 + 2 * n + 1
    return {
        "id": str(900_000_000 + n), "conditionId": f"0x{0xE << 252 | n:064x}", "question": f"Endless market {n}?",
        "slug": f"endless-{n}", "active": True, "closed": False, "archived": False, "acceptingOrders": True,
        "enableOrderBook": True, "outcomes": '["Yes", "No"]', "outcomePrices": '["0.5", "0.5"]',
        "clobTokenIds": json.dumps([str(yes), str(no)]), "orderPriceMinTickSize": 0.01, "orderMinSize": 5,
        "negRisk": False, "endDate": "2027-01-01T00:00:00Z",
    }
