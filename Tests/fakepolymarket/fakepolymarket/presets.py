"""Seed presets: realistic multi-market states in the real wire shapes.

"basic" (deterministic ids; only timestamps depend on `now`):
  A  fed-cuts-rates...            tick 0.01,  binary, open, books + trades
  B1 celtics ... (neg-risk event) tick 0.001, negRisk, open, books + trades
  B2 thunder ... (neg-risk event) tick 0.001, negRisk, open, books + trades
  C  bitcoin-150k...              tick 0.005, open, books + trades (one float-noise price)
  D  taylor-swift-album...        tick 0.01,  CLOSED (resolved Yes), no books (404), old trades only
Books: bids lowest-first (best LAST), asks highest-first (best LAST), with far 0.01/0.99-style
levels, decimal strings, ms-string timestamps, SHA-1 hash computed like py-clob-client.
Trades: float price/size, integer SECONDS timestamps, newest within the last 2 h, some 60-61 and
~90 days old; maker-fill rows (served only with takerOnly=false) share the taker's transactionHash.
"""

from __future__ import annotations

import hashlib
import random
import time
from datetime import datetime, timezone
from decimal import Decimal

from . import jsonraw
from .jsonraw import RawNumber

DAY = 86400


def _iso(t: float, ms: bool = False) -> str:
    dt = datetime.fromtimestamp(t, timezone.utc)
    if ms:
        return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def _hex(label: str, n: int = 64) -> str:
    h = ""
    i = 0
    while len(h) < n:
        h += hashlib.sha256(f"{label}#{i}".encode()).hexdigest()
        i += 1
    return h[:n]


def token_id(label: str) -> str:
    """A deterministic 78-digit uint256 decimal token id."""
    v = int(_hex("token:" + label), 16) % (10 ** 78)
    if v < 10 ** 77:
        v += 10 ** 77
    return str(v)


def condition_id(label: str) -> str:
    return "0x" + _hex("condition:" + label)


def _dec(s) -> str:
    """Canonical decimal string: no exponent, no trailing zeros ("0.50" -> "0.5")."""
    d = Decimal(str(s)).normalize()
    out = format(d, "f")
    return out


def book_hash(book: dict) -> str:
    """py-clob-client's generate_orderbook_summary_hash: SHA-1 of compact JSON with hash=""."""
    keys = ("market", "asset_id", "timestamp", "hash", "bids", "asks", "min_order_size", "tick_size",
            "neg_risk", "last_trade_price")
    d = {k: book.get(k) for k in keys}
    d["hash"] = ""
    return hashlib.sha1(jsonraw.dumps(d).encode("utf-8")).hexdigest()


def make_book(market: str, asset: str, ts_ms: int, bids, asks, tick: str, min_size: str, neg_risk: bool,
              last: str | None) -> dict:
    """bids/asks as (price, size) pairs in any order; emitted bids ascending, asks descending."""
    b = sorted(((Decimal(str(p)), s) for p, s in bids), key=lambda x: x[0])
    a = sorted(((Decimal(str(p)), s) for p, s in asks), key=lambda x: x[0], reverse=True)
    book = {
        "market": market,
        "asset_id": asset,
        "timestamp": str(ts_ms),
        "hash": "",
        "bids": [{"price": _dec(p), "size": _dec(s)} for p, s in b],
        "asks": [{"price": _dec(p), "size": _dec(s)} for p, s in a],
        "min_order_size": min_size,
        "tick_size": tick,
        "neg_risk": neg_risk,
        "last_trade_price": last,
    }
    if last is None:
        del book["last_trade_price"]
    book["hash"] = book_hash(book)
    return book


def _complement(levels):
    return [(Decimal(1) - Decimal(str(p)), s) for p, s in levels]


# (key, id, slug, question, tick, negRisk, closed, yes_bids, yes_asks, yes_last, outcomePrices, volume,
#  end offset days, event)
_EVENT_FED = {"id": "23001", "ticker": "fed-decision-in-december-2026", "slug": "fed-decision-in-december-2026",
              "title": "Fed decision in December 2026?", "negRisk": False}
_EVENT_NBA = {"id": "23114", "ticker": "2026-nba-champion", "slug": "2026-nba-champion",
              "title": "2026 NBA Champion", "negRisk": True}
_EVENT_BTC = {"id": "23270", "ticker": "what-price-will-bitcoin-hit-in-2026",
              "slug": "what-price-will-bitcoin-hit-in-2026", "title": "What price will Bitcoin hit in 2026?",
              "negRisk": False}
_EVENT_TS = {"id": "21998", "ticker": "taylor-swift-new-album-2026", "slug": "taylor-swift-new-album-2026",
             "title": "Taylor Swift new album before July 2026?", "negRisk": False}

NEG_RISK_MARKET_ID = "0x" + _hex("negrisk:2026-nba-champion")

_MARKETS = [
    dict(key="A", id="512345", slug="fed-cuts-rates-in-december-2026",
         question="Will the Fed cut interest rates at the December 2026 FOMC meeting?",
         tick="0.01", neg=False, closed=False, event=_EVENT_FED, end_days=40,
         bids=[("0.01", "600005"), ("0.45", "3120.5"), ("0.49", "1200"), ("0.5", "880"), ("0.51", "250.5")],
         asks=[("0.99", "100000"), ("0.6", "4500"), ("0.55", "300"), ("0.53", "1021.33"), ("0.52", "84.17")],
         last="0.51", prices=["0.515", "0.485"], volume="125034.551", liquidity="8450.12", v24=3120.5),
    dict(key="B1", id="530101", slug="will-the-boston-celtics-win-the-2026-nba-finals",
         question="Will the Boston Celtics win the 2026 NBA Finals?",
         tick="0.001", neg=True, closed=False, event=_EVENT_NBA, end_days=75,
         bids=[("0.001", "250000"), ("0.47", "1500"), ("0.478", "620.25"), ("0.481", "410"), ("0.482", "96.5")],
         asks=[("0.999", "180000"), ("0.5", "2200"), ("0.49", "730"), ("0.487", "515.4"), ("0.485", "120")],
         last="0.483", prices=["0.4835", "0.5165"], volume="2450981.0934", liquidity="61230.5", v24=48211.77),
    dict(key="B2", id="530102", slug="will-the-oklahoma-city-thunder-win-the-2026-nba-finals",
         question="Will the Oklahoma City Thunder win the 2026 NBA Finals?",
         tick="0.001", neg=True, closed=False, event=_EVENT_NBA, end_days=75,
         bids=[("0.001", "300000"), ("0.28", "5000"), ("0.289", "840"), ("0.291", "77.77")],
         asks=[("0.999", "210000"), ("0.31", "3900"), ("0.296", "1040"), ("0.294", "64")],
         last="0.292", prices=["0.2925", "0.7075"], volume="1893402.4471", liquidity="40125.3", v24=30112.05),
    dict(key="C", id="541200", slug="will-bitcoin-reach-150k-by-december-31-2026",
         question="Will Bitcoin reach $150,000 by December 31, 2026?",
         tick="0.005", neg=False, closed=False, event=_EVENT_BTC, end_days=36,
         bids=[("0.005", "90000"), ("0.3", "2500"), ("0.335", "1800"), ("0.34", "950"), ("0.345", "310.5")],
         asks=[("0.995", "75000"), ("0.4", "2750"), ("0.37", "1200"), ("0.355", "640"), ("0.35", "205")],
         last="0.345", prices=["0.3475", "0.6525"], volume="734550.12", liquidity="20411.9", v24=9120.0),
    dict(key="D", id="498877", slug="will-taylor-swift-announce-a-new-album-before-july-1-2026",
         question="Will Taylor Swift announce a new album before July 1, 2026?",
         tick="0.01", neg=False, closed=True, event=_EVENT_TS, end_days=-30,
         bids=None, asks=None, last="0.99", prices=["1", "0"], volume="512771.0012", liquidity="0", v24=0),
]

_WALLETS = [
    ("0x1234567890abcdef1234567890abcdef12345678", "trader", "Calm-Otter"),
    ("0x9f2c4a1b7e3d5c6a8b0e1f2d3c4b5a6978675645", "", "Brisk-Heron"),
    ("0x0a1b2c3d4e5f60718293a4b5c6d7e8f901234567", "whalewatch", "Quiet-Lynx"),
    ("0x5555aaaa5555aaaa5555aaaa5555aaaa5555aaaa", "", "Amber-Finch"),
    ("0xdeadbeefcafebabe0123456789abcdef01234567", "degen42", "Rapid-Marmot"),
    ("0x7e57ab1e7e57ab1e7e57ab1e7e57ab1e7e57ab1e", "", "Stoic-Badger"),
]


def _gamma_market(spec: dict, now: int, toks: list[str], cid: str) -> dict:
    closed = spec["closed"]
    end = (now + spec["end_days"] * DAY) // 3600 * 3600
    start = (now - 120 * DAY) // DAY * DAY
    created = start - 2 * DAY + 0.253
    ev = spec["event"]
    bb = None if closed else float(spec["bids"][-1][0])
    ba = None if closed else float(spec["asks"][-1][0])
    tick = RawNumber(spec["tick"])
    m = {
        "id": spec["id"],
        "question": spec["question"],
        "conditionId": cid,
        "slug": spec["slug"],
        "resolutionSource": "",
        "endDate": _iso(end),
        "liquidity": spec["liquidity"],
        "startDate": _iso(start),
        "image": f"https://polymarket-upload.s3.us-east-2.amazonaws.com/{spec['slug']}.png",
        "icon": f"https://polymarket-upload.s3.us-east-2.amazonaws.com/{spec['slug']}.png",
        "description": f"This market will resolve to \"Yes\" if: {spec['question']} Otherwise \"No\".",
        "outcomes": "[\"Yes\", \"No\"]",
        "outcomePrices": "[" + ", ".join(f"\"{p}\"" for p in spec["prices"]) + "]",
        "volume": spec["volume"],
        "active": True,
        "closed": closed,
        "marketMakerAddress": "",
        "createdAt": _iso(created, ms=True),
        "updatedAt": _iso(now - 37.5, ms=True),
        "new": False,
        "featured": False,
        "archived": False,
        "restricted": True,
        "questionID": "0x" + _hex("question:" + spec["slug"]),
        "enableOrderBook": True,
        "orderPriceMinTickSize": tick,
        "orderMinSize": 5,
        "volumeNum": RawNumber(spec["volume"]),
        "liquidityNum": RawNumber(spec["liquidity"]),
        "endDateIso": _iso(end)[:10],
        "startDateIso": _iso(start)[:10],
        "volume24hr": spec["v24"],
        "volume1wk": round(spec["v24"] * 6.2, 2),
        "clobTokenIds": "[" + ", ".join(f"\"{t}\"" for t in toks) + "]",
        "acceptingOrders": not closed,
        "acceptingOrdersTimestamp": _iso(start),
        "negRisk": spec["neg"],
        "spread": 0 if closed else RawNumber(_dec(Decimal(str(ba)) - Decimal(str(bb)))),
        "lastTradePrice": RawNumber(spec["last"]),
        "makerBaseFee": 0,
        "takerBaseFee": 0,
        "events": [{
            "id": ev["id"], "ticker": ev["ticker"], "slug": ev["slug"], "title": ev["title"],
            "startDate": _iso(start), "endDate": _iso(end), "active": True, "closed": closed,
            "archived": False, "negRisk": ev["negRisk"],
            "liquidity": float(spec["liquidity"]), "volume": float(spec["volume"]),
        }],
    }
    if not closed:
        m["bestBid"] = RawNumber(spec["bids"][-1][0])
        m["bestAsk"] = RawNumber(spec["asks"][-1][0])
    else:
        m["closedTime"] = _iso(end + 3600).replace("T", " ").replace("Z", "+00")
        m["umaResolutionStatus"] = "resolved"
    if spec["neg"]:
        m["negRiskMarketID"] = NEG_RISK_MARKET_ID
        m["negRiskRequestID"] = "0x" + _hex("negriskreq:" + spec["slug"])
        m["events"][0]["negRiskMarketID"] = NEG_RISK_MARKET_ID
    return m


def _snap(x: float, tick: Decimal) -> Decimal:
    d = (Decimal(repr(x)) / tick).quantize(Decimal(1)) * tick
    return max(tick, min(Decimal(1) - tick, d))


def _trades_for(spec, toks, cid, now: int, rng: random.Random) -> list[dict]:
    tick = Decimal(spec["tick"])
    yes_mid = float(spec["prices"][0]) if not spec["closed"] else 0.9
    rows = []

    def row(ts: int, outcome_index: int, price, size, side: str, wallet, tx: str, maker=False):
        addr, name, pseudo = wallet
        r = {
            "proxyWallet": addr,
            "side": side,
            "asset": toks[outcome_index],
            "conditionId": cid,
            "size": size,
            "price": price,
            "timestamp": ts,
            "title": spec["question"],
            "slug": spec["slug"],
            "icon": f"https://polymarket-upload.s3.us-east-2.amazonaws.com/{spec['slug']}.png",
            "eventSlug": spec["event"]["slug"],
            "outcome": "Yes" if outcome_index == 0 else "No",
            "outcomeIndex": outcome_index,
            "name": name,
            "pseudonym": pseudo,
            "bio": "",
            "profileImage": "",
            "profileImageOptimized": "",
            "transactionHash": tx,
        }
        if maker:
            r["_maker"] = True
        rows.append(r)

    if spec["closed"]:
        times = sorted({now - rng.randint(35 * DAY, 75 * DAY) for _ in range(6)}, reverse=True)
    else:
        recent = [now - 30 - i * 397 - rng.randint(0, 60) for i in range(9)]        # last ~1 h
        old60 = [now - 60 * DAY - rng.randint(0, DAY - 1) for _ in range(3)]       # 60-61 days old
        old90 = [now - 90 * DAY - rng.randint(0, 3600)]
        times = recent + old60 + old90
    for i, ts in enumerate(times):
        oi = 0 if rng.random() < 0.7 else 1
        mid = yes_mid if oi == 0 else 1 - yes_mid
        price = float(_snap(mid + rng.uniform(-0.02, 0.02), tick))
        if i % 4 == 0:
            size = float(rng.choice([5, 10, 50, 100, 250]))       # e.g. 50.0 on the wire
        else:
            size = round(rng.uniform(5, 800), 2)
        side = rng.choice(["BUY", "SELL"])
        wallet = _WALLETS[rng.randrange(len(_WALLETS))]
        tx = "0x" + _hex(f"tx:{spec['slug']}:{i}")
        row(ts, oi, price, size, side, wallet, tx)
        if i in (1, 4):  # this match also filled two makers: rows only visible with takerOnly=false
            part = round(size * 0.4, 2)
            other = "SELL" if side == "BUY" else "BUY"
            row(ts, oi, price, part, other, _WALLETS[(i + 1) % len(_WALLETS)], tx, maker=True)
            row(ts, oi, price, round(size - part, 2), other, _WALLETS[(i + 2) % len(_WALLETS)], tx, maker=True)
    return rows


def basic(now: int | None = None) -> tuple[dict, dict]:
    """(data, summary) for the "basic" preset."""
    now = int(time.time()) if now is None else int(now)
    rng = random.Random(20260428)
    markets, books, trades, summary_markets = [], {}, [], []
    for k, spec in enumerate(_MARKETS):
        toks = [token_id(spec["slug"] + ":Yes"), token_id(spec["slug"] + ":No")]
        cid = condition_id(spec["slug"])
        markets.append(_gamma_market(spec, now, toks, cid))
        if spec["bids"] is not None:
            ts_ms = now * 1000 - 1500 - 97 * k
            yes_last = spec["last"]
            no_last = _dec(Decimal(1) - Decimal(yes_last))
            books[toks[0]] = make_book(cid, toks[0], ts_ms, spec["bids"], spec["asks"], spec["tick"], "5",
                                       spec["neg"], yes_last)
            books[toks[1]] = make_book(cid, toks[1], ts_ms, _complement(spec["asks"]), _complement(spec["bids"]),
                                       spec["tick"], "5", spec["neg"], no_last)
        rows = _trades_for(spec, toks, cid, now, rng)
        if spec["key"] == "C":
            # Data-API float noise: a price that is not exactly representable, emitted verbatim.
            rows[2]["price"] = RawNumber("0.34500000000000003")
        trades.extend(rows)
        summary_markets.append({
            "key": spec["key"], "id": spec["id"], "slug": spec["slug"], "conditionId": cid,
            "clobTokenIds": toks, "outcomes": ["Yes", "No"], "closed": spec["closed"],
            "negRisk": spec["neg"], "tick": spec["tick"], "has_book": spec["bids"] is not None,
        })
    # Stored order is deliberately not time-sorted: the server sorts newest first on the way out.
    rng.shuffle(trades)
    data = {"markets": markets, "books": books, "trades": trades, "market_by_token": {}, "clob_markets": {}}
    summary = {"preset": "basic", "now": now, "markets": summary_markets,
               "neg_risk_market_id": NEG_RISK_MARKET_ID}
    return data, summary


def empty(now: int | None = None) -> tuple[dict, dict]:
    data = {"markets": [], "books": {}, "trades": [], "market_by_token": {}, "clob_markets": {}}
    return data, {"preset": "empty", "now": int(time.time()) if now is None else int(now), "markets": []}


PRESETS = {"basic": basic, "empty": empty}
