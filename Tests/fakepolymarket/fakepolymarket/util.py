"""Small helpers shared by the API modules."""

from __future__ import annotations

import json

from . import jsonraw


def json_in_string(value) -> list:
    """Gamma's JSON-in-string arrays ("[\\"a\\", \\"b\\"]"); tolerate real arrays and garbage."""
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        try:
            v = json.loads(value)
        except ValueError:
            return []
        return v if isinstance(v, list) else []
    return []


def market_token_ids(market: dict) -> list[str]:
    """The market's asset ids: `positionIds` (array or JSON-in-string) for a "v2" market,
    `clobTokenIds` otherwise (docs/wire/gamma.md)."""
    field = "positionIds" if market.get("version") == "v2" else "clobTokenIds"
    return [str(t) for t in json_in_string(market.get(field))]


def parse_int(query: dict, name: str, default):
    """(value, error message or None) for an integer query parameter (last value wins)."""
    vals = query.get(name)
    if not vals or vals[-1] == "":
        return default, None
    try:
        v = int(vals[-1])
    except ValueError:
        return None, f"invalid {name}: {vals[-1]!r}"
    if v < 0:
        return None, f"invalid {name}: must be >= 0"
    return v, None


def parse_bool(query: dict, name: str):
    """True/False/None (absent) or 'invalid'."""
    vals = query.get(name)
    if not vals:
        return None
    v = vals[-1].strip().lower()
    if v in ("true", "1"):
        return True
    if v in ("false", "0"):
        return False
    return "invalid"


def split_csv(values: list[str] | None) -> list[str]:
    out = []
    for v in values or []:
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return out


def number_literal(text, default=None):
    """A decimal string like "0.515" as a JSON number emitted verbatim."""
    if isinstance(text, (int, float, jsonraw.RawNumber)) and not isinstance(text, bool):
        return text
    if isinstance(text, str):
        t = text.strip()
        if t.startswith("."):
            t = "0" + t
        if jsonraw.is_number_literal(t):
            return jsonraw.RawNumber(t)
    return default
