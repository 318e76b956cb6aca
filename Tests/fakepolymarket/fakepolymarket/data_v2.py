"""Data API v2: GET /data/v2/trades (the paged trade tape) and GET /data/v2/prices-history, plus the
CLOB's POST /clob/batch-prices-history.  Wire facts: docs/wire/data-api.md.

Session data used here (set with the usual state calls):
  "v2_trades":      rows served verbatim (snake_case, numbers keep their literal text), newest first
                    by "timestamp" (epoch seconds).  Keys starting with "_" are private markers:
                    "_maker": true = a maker fill (only with taker_only=false); "_combo_of":
                    "<condition id>" = a combo row served in that market's feed too.  When the list is
                    empty, the legacy "trades" rows are served converted to the v2 names.
  "prices_history": {token_id: [{"timestamp": <s>, "price": <number>, ...}]} (any order; served
                    oldest first, "resolution_seconds" defaulting to 60).

Every v2 answer has the envelope {"data": [...], "pagination": {...}} and the headers
cache-control: public, max-age=300 and x-trace-id; errors use {error, code, retryable, trace_id}.
Cursors are opaque to clients: here "v2." + base64 of "<offset>:<limit>".
"""

from __future__ import annotations

import base64
import itertools
import time

from . import jsonraw, util
from .response import Response, json_response

_trace = itertools.count(1)

LEGACY_TO_V2 = {
    "proxyWallet": "proxy_wallet", "side": "side", "asset": "token_id", "conditionId": "condition_id",
    "size": "size", "price": "price", "timestamp": "timestamp", "title": "title", "slug": "slug",
    "eventSlug": "event_slug", "outcome": "outcome", "outcomeIndex": "outcome_index",
    "transactionHash": "transaction_hash", "_maker": "_maker",
}
INTERVALS = {"max": None, "all": None, "1m": 30 * 86400, "1w": 7 * 86400, "1d": 86400, "6h": 6 * 3600, "1h": 3600}


def _trace_id() -> str:
    return f"fake-{next(_trace):08d}"


def _headers(trace: str) -> dict:
    return {"Cache-Control": "public, max-age=300", "x-trace-id": trace}


def v2_error(status: int, message: str, code: str, retryable: bool = False) -> Response:
    trace = _trace_id()
    return json_response({"error": message, "code": code, "retryable": retryable, "trace_id": trace}, status,
                         headers={"x-trace-id": trace})


def _page(rows: list, offset: int, limit: int) -> Response:
    page = rows[offset:offset + limit]
    more = offset + len(page) < len(rows)
    cursor = encode_cursor(offset + len(page), limit) if more else None
    trace = _trace_id()
    return json_response({"data": page, "pagination": {"limit": limit, "offset": offset, "has_more": more,
                                                        "next_cursor": cursor}}, headers=_headers(trace))


def encode_cursor(offset: int, limit: int) -> str:
    return "v2." + base64.urlsafe_b64encode(f"{offset}:{limit}".encode()).decode().rstrip("=")


def decode_cursor(text: str):
    """(offset, limit) or None for a cursor this server did not make."""
    if not text.startswith("v2."):
        return None
    raw = text[3:]
    try:
        off, lim = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode().split(":")
        return int(off), int(lim)
    except (ValueError, UnicodeDecodeError):
        return None


def _last(query: dict, *names: str):
    for n in names:
        vals = query.get(n)
        if vals:
            return vals[-1]
    return None


def _int_param(query: dict, name: str, default=None, minimum: int = 0):
    """(value, error Response or None)."""
    text = _last(query, name)
    if text is None:
        return default, None
    try:
        v = int(text)
    except ValueError:
        return None, v2_error(400, f"invalid {name}: {text!r}", "invalid_parameter")
    if v < minimum:
        return None, v2_error(400, f"invalid {name}: must be >= {minimum}", "invalid_parameter")
    return v, None


def _paging(query: dict, config: dict, default: int, maximum: int):
    """(offset, limit, error Response or None) from cursor / limit."""
    if "offset" in query:
        return 0, 0, v2_error(400, "offset is not supported: page with cursor", "invalid_parameter")
    cursor = _last(query, "cursor")
    if cursor:
        decoded = decode_cursor(cursor)
        if decoded is None:
            return 0, 0, v2_error(400, "invalid cursor", "invalid_cursor")
        return decoded[0], decoded[1], None   # the cursor's page size wins
    limit, err = _int_param(query, "limit", default)
    if err:
        return 0, 0, err
    if limit > maximum:
        return 0, 0, v2_error(400, f"limit must be between 0 and {maximum}", "invalid_parameter")
    return 0, limit, None


# --- /v2/trades --------------------------------------------------------------------------------
def _as_v2(row: dict) -> dict:
    return {LEGACY_TO_V2.get(k, k): v for k, v in row.items()}


def _public(row: dict) -> dict:
    if any(k.startswith("_") for k in row):
        return {k: v for k, v in row.items() if not k.startswith("_")}
    return row


def list_trades(data: dict, config: dict, query: dict) -> Response:
    offset, limit, err = _paging(query, config, config["v2_trades_limit_default"], config["v2_trades_limit_max"])
    if err:
        return err
    rows = data.get("v2_trades") or [_as_v2(t) for t in data["trades"]]
    conditions = util.split_csv([_last(query, "condition", "condition_id", "conditionId") or ""])
    if len(conditions) > 20:
        return v2_error(400, "at most 20 conditions", "invalid_parameter")
    if conditions:
        want = {c.lower() for c in conditions}
        rows = [r for r in rows if str(r.get("condition_id", "")).lower() in want or r.get("_combo_of", "").lower() in want]
    taker_only = util.parse_bool(query, "taker_only")
    if taker_only == "invalid":
        return v2_error(400, "invalid taker_only: expected true or false", "invalid_parameter")
    if taker_only is not False:
        rows = [r for r in rows if not r.get("_maker")]
    side = _last(query, "side")
    if side:
        rows = [r for r in rows if str(r.get("side", "")).upper() == side.upper()]
    rows = sorted(rows, key=lambda r: -(jsonraw.as_float(r.get("timestamp"), 0.0)))
    resp = _page([_public(r) for r in rows], offset, limit)
    return resp


# --- /v2/prices-history ------------------------------------------------------------------------
def prices_history(data: dict, config: dict, query: dict) -> Response:
    token = _last(query, "token_id")
    if not token:
        return v2_error(400, "token_id is required", "invalid_parameter")
    forms = [n for n in ("start", "interval", "as_of") if _last(query, n) is not None]
    if len(forms) != 1:
        return v2_error(400, "exactly one of start, interval or as_of is required", "invalid_parameter")
    start, err = _int_param(query, "start")
    if err:
        return err
    end, err = _int_param(query, "end")
    if err:
        return err
    if end is not None and start is None:
        return v2_error(400, "end requires start", "invalid_parameter")
    as_of, err = _int_param(query, "as_of")
    if err:
        return err
    bucket, err = _int_param(query, "bucket_seconds", minimum=1)
    if err:
        return err
    offset, limit, err = _paging(query, config, config["prices_history_limit_max"], config["prices_history_limit_max"])
    if err:
        return err
    now = int(time.time())
    points = sorted(data.get("prices_history", {}).get(token, []), key=lambda p: jsonraw.as_float(p.get("timestamp"), 0.0))
    window = config["prices_history_window_max_s"]
    if start is not None:
        stop = end if end is not None else now
        if stop - start > window:
            return v2_error(400, f"window longer than {window // 86400} days: split it", "window_too_large")
        points = [p for p in points if start <= jsonraw.as_float(p.get("timestamp"), 0.0) < stop]
    elif as_of is not None:
        before = [p for p in points if jsonraw.as_float(p.get("timestamp"), 0.0) <= as_of]
        points = before[-1:]
    else:
        interval = _last(query, "interval")
        if interval not in INTERVALS:
            return v2_error(400, f"invalid interval {interval!r}", "invalid_parameter")
        span = INTERVALS[interval]
        if span is not None:
            points = [p for p in points if jsonraw.as_float(p.get("timestamp"), 0.0) >= now - span]
    if bucket:
        kept, seen = [], set()
        for p in points:
            b = int(jsonraw.as_float(p.get("timestamp"), 0.0)) // bucket
            if b not in seen:
                seen.add(b)
                kept.append(p)
        points = kept
    res = bucket or 60
    rows = [{"timestamp": p.get("timestamp"), "price": p.get("price"),
             "resolution_seconds": p.get("resolution_seconds", res)} for p in points]
    return _page(rows, offset, limit)


# --- POST /clob/batch-prices-history ------------------------------------------------------------
def batch_prices_history(data: dict, config: dict, body: bytes) -> Response:
    try:
        req = jsonraw.loads(body) if body else None
    except ValueError:
        return json_response({"error": "Invalid payload"}, 400)
    if not isinstance(req, dict) or not isinstance(req.get("markets"), list) \
            or not all(isinstance(m, str) and m for m in req["markets"]):
        return json_response({"error": "Invalid payload: markets must be an array of asset ids"}, 400)
    if len(req["markets"]) > config["batch_prices_markets_max"]:
        return json_response({"error": f"at most {config['batch_prices_markets_max']} markets per request"}, 400)
    start, end = req.get("start_ts"), req.get("end_ts")
    for name, v in (("start_ts", start), ("end_ts", end)):
        if v is not None and (not isinstance(v, int) or isinstance(v, bool)):
            return json_response({"error": f"Invalid payload: {name} must be an integer"}, 400)
    history = {}
    for token in req["markets"]:
        points = sorted(data.get("prices_history", {}).get(token, []),
                        key=lambda p: jsonraw.as_float(p.get("timestamp"), 0.0))
        rows = []
        for p in points:
            t = jsonraw.as_float(p.get("timestamp"), 0.0)
            if (start is None or t >= start) and (end is None or t <= end):
                rows.append({"t": p.get("timestamp"), "p": p.get("price")})
        history[token] = rows
    return json_response({"history": history})


def handle(session, method: str, path: str, query: dict, body: bytes) -> Response | None:
    """The v2 routes under /data; None when `path` is not one of them."""
    data, config = session.snapshot()
    if method == "GET" and path in ("/v2/trades", "/v2/trades/"):
        return list_trades(data, config, query)
    if method == "GET" and path in ("/v2/prices-history", "/v2/prices-history/"):
        return prices_history(data, config, query)
    return None
