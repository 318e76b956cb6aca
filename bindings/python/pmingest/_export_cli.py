"""``python -m pmingest export``: the store as Parquet, CSV or NDJSON, with exact decimals.

    python -m pmingest export trades --db PATH --token T [--token T2 ...] [--since TIME] [--until TIME]
                                     [--limit N] --format parquet|csv|ndjson [--output PATH]
    python -m pmingest export price-history --db PATH --token T ... [--since TIME] [--until TIME] ...
    python -m pmingest export token-metadata --db PATH [--token T ...] ...

The same datasets, columns and text forms as ``pmingest export`` (the CLI writes CSV and NDJSON
itself and hands Parquet to this command). Columns: ``pmingest.export``'s tables. CSV: a header
line, then one line per row; an absent value is an empty field, an empty string ``""``; a field
with a comma, quote or line break is quoted (quotes doubled). NDJSON: one object per row with
every column (absent = null). In both, prices and sizes are the library's canonical decimal text
("0.95", "0"), times ISO 8601 UTC with milliseconds when not whole ("2026-01-01T00:00:00.789Z"),
booleans true/false. ``--since``/``--until`` (inclusive) take milliseconds since the epoch or an
ISO 8601 time (UTC when it has no offset). Parquet needs ``--output`` and pyarrow; CSV and NDJSON
go to standard output unless ``--output`` is given. Trades and price history are listed per
``--token`` in the order given, each oldest first.

Exit status: 0; 64 bad usage; 69 pyarrow missing (``pip install 'pmingest[arrow]'``); 65, 73, 74
library errors (as ``pmingest``'s).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Iterator, List, Optional, Sequence, TextIO, Tuple

from . import export

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
DATASETS = ("trades", "price-history", "token-metadata")
FORMATS = ("parquet", "csv", "ndjson")


class _Usage(Exception):
    pass


def add_parser(commands: Any) -> None:
    parser = commands.add_parser("export", help="the store as Parquet, CSV or NDJSON (exact decimals)",
                                 description="Export trades, price history or token metadata from a pmingest "
                                 "SQLite store with exact decimals.")
    parser.add_argument("dataset", choices=DATASETS)
    parser.add_argument("--db", required=True, help="SQLite database file")
    parser.add_argument("--token", action="append", default=[], help="token id (repeatable)")
    parser.add_argument("--since", help="only rows at or after this time (ms since the epoch or ISO 8601)")
    parser.add_argument("--until", help="only rows at or before this time (ms since the epoch or ISO 8601)")
    parser.add_argument("--limit", type=int, help="at most this many trades per token")
    parser.add_argument("--format", required=True, choices=FORMATS)
    parser.add_argument("--output", help="output file (required for parquet; default standard output)")


def parse_time(text: Optional[str], option: str) -> Optional[datetime]:
    if text is None:
        return None
    if text.isdigit():
        return EPOCH + timedelta(milliseconds=int(text))
    try:
        moment = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError:
        raise _Usage(f"{option}: not a time (ms since the epoch or ISO 8601): {text!r}") from None
    return moment if moment.utcoffset() is not None else moment.replace(tzinfo=timezone.utc)


def iso(moment: datetime) -> str:
    """ISO 8601 UTC, milliseconds only when not whole (as the CLI's)."""
    delta = moment - EPOCH
    ms = (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000
    utc = EPOCH + timedelta(milliseconds=ms)
    text = f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}"
    if ms % 1000:
        text += f".{ms % 1000:03d}"
    return text + "Z"


def text_value(value: Any) -> Any:
    """A cell as CSV/NDJSON carry it: str, int, bool or None."""
    if isinstance(value, Decimal):
        return export.canonical_decimal(value)
    if isinstance(value, datetime):
        return iso(value)
    return value


def _csv_field(value: Any) -> str:
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    text = str(value)
    if text == "" or any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _rows(dataset: str, args: argparse.Namespace) -> Tuple[List[Any], Any]:
    """The records and the table builder for them."""
    from .prices import PriceHistoryRepository
    from .storage import Database, TokenMetaRepository, TradeRepository

    since, until = parse_time(args.since, "--since"), parse_time(args.until, "--until")
    if dataset != "token-metadata" and not args.token:
        raise _Usage(f"export {dataset} needs at least one --token")
    if dataset == "token-metadata" and (since or until):
        raise _Usage("--since/--until apply to trades and price-history only")
    if args.limit is not None and (dataset != "trades" or args.limit < 1):
        raise _Usage("--limit (>= 1) applies to trades only")
    with Database(args.db) as db:
        if dataset == "trades":
            repo = TradeRepository(db)
            rows: List[Any] = [t for token in args.token for t in repo.query(token, since, until, args.limit)]
            return rows, export.trades_to_arrow
        if dataset == "price-history":
            points = PriceHistoryRepository(db)
            return [p for token in args.token for p in points.points(token, since, until)], export.price_history_to_arrow
        metas = TokenMetaRepository(db).list()
        wanted = set(args.token)
        return [m for m in metas if not wanted or m.token_id in wanted], export.token_metas_to_arrow


_COLUMNS = {
    "trades": [name for name, _, _ in export._TRADE_SPECS],
    "price-history": [name for name, _, _ in export._POINT_SPECS],
    "token-metadata": [name for name, _, _ in export._META_SPECS],
}


def _lines(dataset: str, rows: Sequence[Any], fmt: str) -> Iterator[str]:
    columns = _COLUMNS[dataset]
    if fmt == "csv":
        yield ",".join(columns) + "\n"
    for row in rows:
        values = [text_value(getattr(row, name)) for name in columns]
        if fmt == "csv":
            yield ",".join(_csv_field(v) for v in values) + "\n"
        else:
            yield json.dumps(dict(zip(columns, values)), separators=(",", ":"), ensure_ascii=False) + "\n"


def run(args: argparse.Namespace, err: Optional[TextIO] = None) -> int:
    from .errors import PmCannotOpenDatabase, PmError, PmStorageError

    err = sys.stderr if err is None else err

    try:
        if args.format == "parquet":
            if not args.output or args.output == "-":
                raise _Usage("--format parquet needs --output FILE")
            export._pyarrow()  # before the store is read: a missing pyarrow writes nothing
        rows, to_arrow = _rows(args.dataset, args)
        if args.format == "parquet":
            export.write_parquet(to_arrow(rows), args.output)
        elif args.output and args.output != "-":
            with open(args.output, "w", encoding="utf-8", newline="") as out:
                out.writelines(_lines(args.dataset, rows, args.format))
        else:
            sys.stdout.writelines(_lines(args.dataset, rows, args.format))
            sys.stdout.flush()
    except _Usage as problem:
        print(f"python -m pmingest export: {problem}", file=err)
        return 64
    except export.PmMissingDependency as missing:
        print(f"python -m pmingest export: {missing}", file=err)
        return 69
    except PmCannotOpenDatabase as error:
        print(f"python -m pmingest export: error: {error}", file=err)
        return 73
    except PmStorageError as error:
        print(f"python -m pmingest export: error: {error}", file=err)
        return 74
    except PmError as error:
        print(f"python -m pmingest export: error: {error}", file=err)
        return 65
    except OSError as error:
        print(f"python -m pmingest export: {error}", file=err)
        return 74
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    """``python -m pmingest export ...`` on its own (``__main__`` dispatches here)."""
    parser = argparse.ArgumentParser(prog="python -m pmingest")
    add_parser(parser.add_subparsers(dest="command"))
    return run(parser.parse_args(list(sys.argv[1:] if argv is None else argv)))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
