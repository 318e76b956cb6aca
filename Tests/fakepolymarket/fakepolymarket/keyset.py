"""Gamma keyset paging: GET /gamma/markets/keyset and /gamma/events/keyset, and the legacy
offset GET /gamma/events.  Wire facts: docs/wire/gamma.md.

- The cursor parameter is `after_cursor`.  A `cursor=` parameter is ignored, so it answers page 1
  again (the real service's quirk).  `offset` is refused (400).
- Envelope {"markets": [...], "next_cursor": "..."} / {"events": [...], ...}; the final page has
  no next_cursor (config gamma_keyset_end: "missing" (default), "null" or "empty").
- `limit` is clamped silently: markets to min(gamma_keyset_markets_max, gamma_limit_max), events
  to gamma_keyset_events_max (100).
- `closed` defaults to false: without it, closed items are left out.
- Cursors are deterministic (base64url of "offset:N", no padding) so a test can name a page.

Scripting: config gamma_keyset false answers 404 on both keyset paths (a server without them);
gamma_keyset_cursor_repeat makes every page name the SAME next cursor (that of the second page),
so a client that follows it sees a cursor come back; gamma_endless makes /markets/keyset endless
(fresh markets and a fresh cursor on every page).
"""

from __future__ import annotations

import base64
import binascii

from . import util
from .response import Response, error, json_response


def cursor_for(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def offset_of(cursor: str):
    """The offset a cursor names, or None when it is not one of ours."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    if not text.startswith("offset:") or not text[7:].isdigit():
        return None
    return int(text[7:])


def handle(session, path: str, query: dict):
    """The Response for a keyset or legacy-events path, or None when `path` is not one of them."""
    if path in ("/markets/keyset", "/markets/keyset/"):
        return _keyset(session, query, "markets")
    if path in ("/events/keyset", "/events/keyset/"):
        return _keyset(session, query, "events")
    if path in ("/events", "/events/"):
        return _legacy_events(session, query)
    return None


def _keyset(session, query: dict, key: str) -> Response:
    from . import gamma  # the market filters live there

    data, config = session.snapshot()
    if not config["gamma_keyset"]:
        return error(404, "not found")
    if query.get("offset") is not None:
        return error(400, "offset is not supported by keyset pagination; use after_cursor")
    limit, err = util.parse_int(query, "limit", None)
    if err:
        return error(400, err)
    if key == "markets":
        clamp = min(config["gamma_keyset_markets_max"], config["gamma_limit_max"])
    else:
        clamp = config["gamma_keyset_events_max"]
    limit = max(1, min(clamp if limit is None else limit, clamp))  # silent clamp
    start = 0
    after = query.get("after_cursor")
    if after and after[-1] != "":
        start = offset_of(after[-1])
        if start is None:
            return error(400, f"invalid after_cursor: {after[-1]!r}")

    closed = util.parse_bool(query, "closed")
    if closed == "invalid":
        return error(400, "invalid closed: expected true or false")
    filtered = dict(query)
    filtered["closed"] = ["true" if closed else "false"]  # the service's default is closed=false

    if key == "markets" and config["gamma_endless"] and not gamma._is_lookup(query):
        first = session.take_endless(limit)
        page = [gamma.endless_market(n) for n in range(first, first + limit)]
        return json_response({"markets": page, "next_cursor": cursor_for(first + limit)})

    if key == "markets":
        items, err_response = gamma.filter_markets(data["markets"], config, filtered)
    else:
        items, err_response = filter_events(data["events"], filtered)
    if err_response is not None:
        return err_response

    page = items[start:start + limit]
    out = {key: page}
    if config["gamma_keyset_cursor_repeat"]:
        out["next_cursor"] = cursor_for(limit)
    elif start + limit < len(items):
        out["next_cursor"] = cursor_for(start + limit)
    elif config["gamma_keyset_end"] == "null":
        out["next_cursor"] = None
    elif config["gamma_keyset_end"] == "empty":
        out["next_cursor"] = ""
    return json_response(out)


def filter_events(events: list, query: dict):
    """(events matching the query's active/closed/archived/id/slug filters, None) or (None, error)."""
    out = events
    for flag in ("active", "closed", "archived"):
        want = util.parse_bool(query, flag)
        if want == "invalid":
            return None, error(400, f"invalid {flag}: expected true or false")
        if want is not None:
            out = [e for e in out if bool(e.get(flag, False)) is want]
    ids = set(util.split_csv(query.get("id")))
    if ids:
        out = [e for e in out if str(e.get("id")) in ids]
    slugs = set(util.split_csv(query.get("slug")))
    if slugs:
        out = [e for e in out if e.get("slug") in slugs]
    return out, None


def _legacy_events(session, query: dict) -> Response:
    """GET /gamma/events: the legacy offset listing, a bare array (no closed default)."""
    data, config = session.snapshot()
    limit, err = util.parse_int(query, "limit", config["gamma_limit_default"])
    if err:
        return error(400, err)
    offset, err = util.parse_int(query, "offset", 0)
    if err:
        return error(400, err)
    limit = min(limit, config["gamma_limit_max"])
    items, err_response = filter_events(data["events"], query)
    if err_response is not None:
        return err_response
    return json_response(items[offset:offset + limit])
