"""CLOB batch price routes: POST /prices, /midpoints, /last-trades-prices.  Shapes: docs/wire/clob.md.

Derived from the session's data: best bid = the highest bid price of the token's book, best ask =
the lowest ask (never by position), midpoint = their mean; the last trade = the newest Data API
trade of the token (by timestamp), else the book's `last_trade_price` with side "".  A token with
no such value is left out of the answer.  More than `clob_batch_tokens_max` rows -> 400."""

from __future__ import annotations

from decimal import Decimal

from . import jsonraw
from .response import Response, error, json_response

ROUTES = ("/prices", "/midpoints", "/last-trades-prices")


def _canon(d: Decimal) -> str:
    return format(d.normalize(), "f")


def _decimal(value) -> Decimal:
    """A stored price (string, number or a JSON literal kept as text) as an exact Decimal."""
    return Decimal(value.text if isinstance(value, jsonraw.RawNumber) else str(value))


def _levels(book, side: str) -> list:
    rows = book.get(side) if isinstance(book, dict) else None
    out = []
    for row in rows or []:
        try:
            out.append(_decimal(row["price"]))
        except Exception:  # noqa: BLE001 - a scripted malformed level is simply not a price
            continue
    return out


def best_bid(book) -> Decimal | None:
    bids = _levels(book, "bids")
    return max(bids) if bids else None


def best_ask(book) -> Decimal | None:
    asks = _levels(book, "asks")
    return min(asks) if asks else None


def _rows(body: bytes, config: dict, with_side: bool):
    try:
        req = jsonraw.loads(body) if body else None
    except ValueError:
        return None, error(400, "Invalid payload")
    if not isinstance(req, list) or not all(isinstance(x, dict) and isinstance(x.get("token_id"), str) for x in req):
        return None, error(400, "Invalid payload")
    if with_side and not all(x.get("side") in ("BUY", "SELL") for x in req):
        return None, error(400, "Invalid payload: side must be BUY or SELL")
    limit = config.get("clob_batch_tokens_max", 100)
    if len(req) > limit:
        return None, error(400, f"at most {limit} tokens per request")
    return req, None


def post_prices(data: dict, config: dict, body: bytes) -> Response:
    """BUY = the best bid (what a seller gets), SELL = the best ask, as py-clob-client reads them."""
    req, bad = _rows(body, config, with_side=True)
    if bad is not None:
        return bad
    out: dict = {}
    for row in req:
        book = data["books"].get(row["token_id"])
        value = best_bid(book) if row["side"] == "BUY" else best_ask(book)
        if value is not None:
            out.setdefault(row["token_id"], {})[row["side"]] = _canon(value)
    return json_response(out)


def post_midpoints(data: dict, config: dict, body: bytes) -> Response:
    req, bad = _rows(body, config, with_side=False)
    if bad is not None:
        return bad
    out: dict = {}
    for row in req:
        book = data["books"].get(row["token_id"])
        bid, ask = best_bid(book), best_ask(book)
        if bid is not None and ask is not None:
            out[row["token_id"]] = _canon((bid + ask) / 2)
    return json_response(out)


def last_trade(data: dict, token: str):
    newest = None
    for t in data["trades"]:
        if isinstance(t, dict) and t.get("asset") == token and t.get("price") is not None:
            if newest is None or jsonraw.as_float(t.get("timestamp"), 0.0) > jsonraw.as_float(newest.get("timestamp"), 0.0):
                newest = t
    if newest is not None:
        return _canon(_decimal(newest["price"])), str(newest.get("side", ""))
    book = data["books"].get(token)
    if isinstance(book, dict) and book.get("last_trade_price") not in (None, ""):
        return str(book["last_trade_price"]), ""
    return None


def post_last_trades_prices(data: dict, config: dict, body: bytes) -> Response:
    req, bad = _rows(body, config, with_side=False)
    if bad is not None:
        return bad
    out = []
    for row in req:
        found = last_trade(data, row["token_id"])
        if found is not None:
            out.append({"token_id": row["token_id"], "price": found[0], "side": found[1]})
    return json_response(out)


def handle(data: dict, config: dict, path: str, body: bytes) -> Response:
    if path == "/prices":
        return post_prices(data, config, body)
    if path == "/midpoints":
        return post_midpoints(data, config, body)
    return post_last_trades_prices(data, config, body)
