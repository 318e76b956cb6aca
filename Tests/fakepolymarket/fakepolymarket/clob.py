"""CLOB API (order books, CLOB market objects).  Shapes: docs/wire/clob.md."""

from __future__ import annotations

from . import clob_batch, data_v2, jsonraw, util
from .response import Response, error, json_response, not_found

NO_BOOK = "No orderbook exists for the requested token id"


def handle(session, method: str, path: str, query: dict, body: bytes) -> Response:
    data, _config = session.snapshot()
    if path == "/book" and method == "GET":
        return get_book(data, query)
    if path == "/books" and method == "POST":
        return post_books(data, body)
    if path in clob_batch.ROUTES and method == "POST":
        return clob_batch.handle(data, _config, path, body)
    if path == "/batch-prices-history" and method == "POST":
        return data_v2.batch_prices_history(data, _config, body)
    if path.startswith("/markets-by-token/") and method == "GET":
        return markets_by_token(data, path[len("/markets-by-token/"):])
    if path.startswith("/markets/") and method == "GET":
        return get_market(data, path[len("/markets/"):])
    return not_found("/clob" + path)


def get_book(data: dict, query: dict) -> Response:
    vals = query.get("token_id")
    if not vals or not vals[-1]:
        return error(400, "Invalid payload")
    token = vals[-1]
    books = data["books"]
    if token not in books:
        return error(404, NO_BOOK)
    # A stored null is served as the literal body `null` (status 200).
    return json_response(books[token])


def post_books(data: dict, body: bytes) -> Response:
    try:
        req = jsonraw.loads(body) if body else None
    except ValueError:
        return error(400, "Invalid payload")
    if not isinstance(req, list) or not all(isinstance(x, dict) and isinstance(x.get("token_id"), str) for x in req):
        return error(400, "Invalid payload")
    books = data["books"]
    # Request order; unknown tokens omitted; a stored null is emitted as null.
    return json_response([books[x["token_id"]] for x in req if x["token_id"] in books])


def _find_market(markets: list, cid: str) -> dict | None:
    c = cid.lower()
    for m in markets:
        if str(m.get("conditionId", "")).lower() == c:
            return m
    return None


def _tokens_of_condition(data: dict, cid: str) -> list[str]:
    cm = data["clob_markets"].get(cid)
    if cm and isinstance(cm.get("tokens"), list):
        toks = [str(t.get("token_id")) for t in cm["tokens"] if isinstance(t, dict) and t.get("token_id")]
        if toks:
            return toks
    m = _find_market(data["markets"], cid)
    if m is not None:
        toks = util.market_token_ids(m)
        if toks:
            return toks
    c = cid.lower()
    toks = [str(tok) for tok, b in data["books"].items() if isinstance(b, dict) and str(b.get("market", "")).lower() == c]
    toks += [tok for tok, mc in data["market_by_token"].items() if mc.lower() == c and tok not in toks]
    return toks


def markets_by_token(data: dict, token: str) -> Response:
    cid = data["market_by_token"].get(token)
    if cid is None:
        for m in data["markets"]:
            if token in util.market_token_ids(m):
                cid = m.get("conditionId")
                break
    if cid is None:
        for c, cm in data["clob_markets"].items():
            if any(isinstance(t, dict) and str(t.get("token_id")) == token for t in cm.get("tokens") or []):
                cid = c
                break
    if cid is None:
        return error(404, "market not found")
    toks = _tokens_of_condition(data, cid) or [token]
    return json_response({
        "condition_id": cid,
        "primary_token_id": toks[0],
        "secondary_token_id": toks[1] if len(toks) > 1 else "",
    })


def get_market(data: dict, cid: str) -> Response:
    cm = data["clob_markets"].get(cid)
    if cm is not None:
        return json_response(cm)
    m = _find_market(data["markets"], cid)
    if m is None:
        return error(404, "market not found")
    return json_response(clob_market_from_gamma(m))


def clob_market_from_gamma(m: dict) -> dict:
    closed = bool(m.get("closed", False))
    toks = util.market_token_ids(m)
    outcomes = util.json_in_string(m.get("outcomes"))
    prices = util.json_in_string(m.get("outcomePrices"))
    tokens = []
    for i, tok in enumerate(toks):
        price = util.number_literal(prices[i] if i < len(prices) else None, 0)
        tokens.append({
            "token_id": tok,
            "outcome": outcomes[i] if i < len(outcomes) else "",
            "price": price,
            "winner": closed and jsonraw.as_float(price, 0.0) == 1.0,
        })
    tags = []
    for ev in m.get("events") or []:
        if isinstance(ev, dict) and ev.get("ticker"):
            tags.append(ev["ticker"])
    return {
        "enable_order_book": m.get("enableOrderBook", True),
        "active": m.get("active", True),
        "closed": closed,
        "archived": m.get("archived", False),
        "accepting_orders": m.get("acceptingOrders", not closed),
        "accepting_order_timestamp": m.get("acceptingOrdersTimestamp"),
        "minimum_order_size": m.get("orderMinSize", 5),
        "minimum_tick_size": m.get("orderPriceMinTickSize", jsonraw.RawNumber("0.01")),
        "condition_id": m.get("conditionId"),
        "question_id": m.get("questionID", ""),
        "question": m.get("question", ""),
        "description": m.get("description", ""),
        "market_slug": m.get("slug", ""),
        "end_date_iso": m.get("endDate"),
        "game_start_time": m.get("gameStartTime"),
        "seconds_delay": 0,
        "fpmm": m.get("marketMakerAddress", ""),
        "maker_base_fee": m.get("makerBaseFee", 0),
        "taker_base_fee": m.get("takerBaseFee", 0),
        "notifications_enabled": True,
        "neg_risk": bool(m.get("negRisk", False)),
        "neg_risk_market_id": m.get("negRiskMarketID", ""),
        "neg_risk_request_id": m.get("negRiskRequestID", ""),
        "icon": m.get("icon", ""),
        "image": m.get("image", ""),
        "rewards": {"rates": None, "min_size": 0, "max_spread": 0},
        "is_50_50_outcome": False,
        "tokens": tokens,
        "tags": tags,
    }
