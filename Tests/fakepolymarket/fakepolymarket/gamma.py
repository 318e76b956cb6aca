"""Gamma API (market metadata): GET /gamma/markets and friends.  Shapes: polymarket-api.md §1.1."""

from __future__ import annotations

from . import util
from .response import Response, error, json_response, not_found


def handle(session, method: str, path: str, query: dict, body: bytes) -> Response:
    # `path` is what follows /gamma, e.g. "/markets".
    data, config = session.snapshot()
    if method != "GET":
        return not_found("/gamma" + path)
    if path in ("/markets", "/markets/"):
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

    out = markets
    for flag in ("active", "closed", "archived"):
        want = util.parse_bool(query, flag)
        if want == "invalid":
            return error(400, f"invalid {flag}: expected true or false")
        if want is not None:
            out = [m for m in out if bool(m.get(flag, False)) is want]

    cids = util.split_csv(query.get("condition_ids"))
    if query.get("condition_ids") is not None:
        if len(cids) > config["gamma_condition_ids_max"]:
            return error(422, f"too many condition_ids: {len(cids)} > {config['gamma_condition_ids_max']}")
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

    return json_response(out[offset:offset + limit])
