"""Data API (public trade tape): GET /data/trades.  Shapes: docs/wire/data-api.md.

Stored trade rows are served verbatim (numbers keep their literal text), except that keys starting
with "_" are private markers and are stripped:
  "_maker": true   this row is a maker fill; only served when takerOnly=false.
"""

from __future__ import annotations

from . import data_v2, jsonraw, util
from .response import Response, error, json_response, not_found


def handle(session, method: str, path: str, query: dict, body: bytes) -> Response:
    if path.startswith("/v2/"):
        resp = data_v2.handle(session, method, path, query, body)
        if resp is not None:
            return resp
    if method == "GET" and path in ("/trades", "/trades/"):
        data, config = session.snapshot()
        return list_trades(data["trades"], config, query)
    return not_found("/data" + path)


def _public(row: dict) -> dict:
    if any(k.startswith("_") for k in row):
        return {k: v for k, v in row.items() if not k.startswith("_")}
    return row


def list_trades(trades: list, config: dict, query: dict) -> Response:
    limit, err = util.parse_int(query, "limit", config["trades_limit_default"])
    if err:
        return error(400, err)
    offset, err = util.parse_int(query, "offset", 0)
    if err:
        return error(400, err)
    # Since 2025-08 the real service refuses limit > 500 and offset > 1000 (docs/wire/data-api.md);
    # config trades_limit_clamp = true restores the older silent clamp.
    if limit > config["trades_limit_max"] and not config["trades_limit_clamp"]:
        return error(400, f"max limit of {config['trades_limit_max']} exceeded")
    limit = min(limit, config["trades_limit_max"])
    if offset > config["trades_offset_max"]:
        return error(400, f"max historical activity offset of {config['trades_offset_max']} exceeded")

    taker_only = util.parse_bool(query, "takerOnly")
    if taker_only == "invalid":
        return error(400, "invalid takerOnly: expected true or false")
    if taker_only is None:
        taker_only = True  # the real default

    rows = trades
    markets = util.split_csv(query.get("market"))
    if markets:
        want = {c.lower() for c in markets}
        rows = [t for t in rows if str(t.get("conditionId", "")).lower() in want]
    if taker_only:
        rows = [t for t in rows if not t.get("_maker")]
    side = query.get("side")
    if side:
        rows = [t for t in rows if str(t.get("side", "")).upper() == side[-1].upper()]
    user = query.get("user")
    if user:
        rows = [t for t in rows if str(t.get("proxyWallet", "")).lower() == user[-1].lower()]

    if config["trades_sort"]:
        rows = sorted(rows, key=lambda t: -(jsonraw.as_float(t.get("timestamp"), 0.0)))
    return json_response([_public(t) for t in rows[offset:offset + limit]])
