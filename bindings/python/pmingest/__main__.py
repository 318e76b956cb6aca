"""``python -m pmingest``: the CLI's read-only REST commands through the binding.

    python -m pmingest markets [--json]
    python -m pmingest book TOKEN [--depth N] [--json]
    python -m pmingest trades TOKEN [--max-age S] [--json]
    python -m pmingest export {trades,price-history,token-metadata} --db PATH --format parquet|csv|ndjson ...

URLs come from ``--gamma-url/--clob-url/--data-url`` or ``PMINGEST_GAMMA_URL`` / ``_CLOB_URL`` /
``_DATA_URL`` (production by default), as for the ``pmingest`` command-line tool. ``--json`` prints
NDJSON (one JSON object per line; prices and sizes as decimal strings), the CLI's field names.
Streaming, recording, syncing and backfilling are the ``pmingest`` CLI's (``make install``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Optional, Sequence

from . import _export_cli
from . import PmError, PmHTTPError, PmNetworkError, PmTimeoutError, PolymarketClient, TradeFetcher
from .client import Market, OrderBook
from .storage import PolymarketTrade

_CLI_ONLY = ("stream", "record", "sync", "backfill", "events", "verify", "demo", "store")


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _ms(when: Optional[datetime]) -> Optional[int]:
    """Milliseconds since the epoch, exactly (integer arithmetic, no float)."""
    return None if when is None else (when - _EPOCH) // timedelta(milliseconds=1)


def _market(m: Market) -> Dict[str, Any]:
    return {"id": m.id, "condition_id": m.condition_id, "active": m.active, "closed": m.closed,
            "neg_risk": m.neg_risk, "protocol_version": m.protocol_version,
            "tokens": [{"token_id": t.token_id, "outcome": t.outcome} for t in m.tokens],
            "question": m.question, "tick_size": None if m.tick_size is None else str(m.tick_size)}


def _book(b: OrderBook) -> Dict[str, Any]:
    def levels(side: Sequence[Any]) -> List[Dict[str, str]]:
        return [{"price": str(level.price), "size": str(level.size)} for level in side]

    return {"token_id": b.token_id, "bids": levels(b.bids), "asks": levels(b.asks),
            "timestamp_ms": _ms(b.timestamp)}


def _trade(t: PolymarketTrade) -> Dict[str, Any]:
    return {"id": t.id, "token_id": t.token_id, "side": t.side, "price": str(t.price), "size": str(t.size),
            "timestamp_ms": _ms(t.timestamp), "condition_id": t.condition_id,
            "transaction_hash": t.transaction_hash}


def _emit(objects: Sequence[Dict[str, Any]]) -> None:
    for obj in objects:
        print(json.dumps({k: v for k, v in obj.items() if v is not None}, separators=(",", ":")))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pmingest",
        description="Read-only Polymarket REST commands through the pmingest binding. "
        f"For {', '.join(_CLI_ONLY)}: the pmingest command-line tool (make install).")
    parser.add_argument("--gamma-url", default=os.environ.get("PMINGEST_GAMMA_URL"))
    parser.add_argument("--clob-url", default=os.environ.get("PMINGEST_CLOB_URL"))
    parser.add_argument("--data-url", default=os.environ.get("PMINGEST_DATA_URL"))
    commands = parser.add_subparsers(dest="command", metavar="{markets,book,trades,export}")
    markets = commands.add_parser("markets", help="active markets (every Gamma page)")
    markets.add_argument("--json", action="store_true", help="NDJSON: one JSON object per line")
    book = commands.add_parser("book", help="a token's order book, best levels first")
    book.add_argument("token")
    book.add_argument("--depth", type=int, default=5)
    book.add_argument("--json", action="store_true", help="one JSON object")
    trades = commands.add_parser("trades", help="recent trades that passed the age check (G1)")
    trades.add_argument("token")
    trades.add_argument("--max-age", type=int, default=300, help="maximum trade age in seconds")
    trades.add_argument("--json", action="store_true", help="NDJSON: one JSON object per line")
    _export_cli.add_parser(commands)  # the store as Parquet/CSV/NDJSON (pmingest/_export_cli.py)
    for name in _CLI_ONLY:  # accepted only to say where they are
        commands.add_parser(name, add_help=False).add_argument("rest", nargs=argparse.REMAINDER)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    if args.command is None:
        _parser().print_help()
        return 64
    if args.command == "export":
        return _export_cli.run(args)
    if args.command in _CLI_ONLY:
        print(f"python -m pmingest: '{args.command}' is a command of the pmingest command-line tool "
              f"(make install, then: pmingest {args.command} --help)", file=sys.stderr)
        return 64
    try:
        with PolymarketClient(args.gamma_url, args.clob_url, args.data_url) as client:
            if args.command == "markets":
                found = client.fetch_active_markets()
                if args.json:
                    _emit([_market(m) for m in found])
                else:
                    for m in found:
                        print(f"{m.condition_id}  {m.protocol_version}  {' '.join(m.token_ids)}  {m.question or ''}")
                    print(f"{len(found)} active markets")
            elif args.command == "book":
                b = client.fetch_orderbook(args.token)
                if args.json:
                    _emit([_book(b)])
                else:
                    for i in range(min(args.depth, max(len(b.bids), len(b.asks)))):
                        bid = f"{b.bids[i].size} @ {b.bids[i].price}" if i < len(b.bids) else ""
                        ask = f"{b.asks[i].price} x {b.asks[i].size}" if i < len(b.asks) else ""
                        print(f"{bid:>24}  |  {ask}")
                    best_bid, best_ask = b.best_bid, b.best_ask
                    print(f"best bid {best_bid.price if best_bid else 'none'}, "
                          f"best ask {best_ask.price if best_ask else 'none'}")
            else:
                recent = TradeFetcher(client, max_age_seconds=args.max_age).fetch_recent_trades(args.token)
                if args.json:
                    _emit([_trade(t) for t in recent])
                else:
                    for t in recent:
                        print(f"{t.timestamp:%Y-%m-%dT%H:%M:%SZ}  {t.side:<4}  {t.price}  {t.size}")
                    print(f"{len(recent)} trades within {args.max_age} s (G1)")
    except BrokenPipeError:  # `| head`: the reader has all it wants
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (PmNetworkError, PmHTTPError, PmTimeoutError) as error:  # exit codes as the CLI's (sysexits)
        print(f"python -m pmingest: error: {error}", file=sys.stderr)
        return 69
    except PmError as error:
        print(f"python -m pmingest: error: {error}", file=sys.stderr)
        return 65
    return 0


if __name__ == "__main__":
    sys.exit(main())
