"""Test setup: import the package from this source tree and load the library named by
$PMINGEST_LIBRARY (defaulting to the repository's .build-py release build when it exists)."""

from __future__ import annotations

import dataclasses
import os
import sys
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest

PYTHON_ROOT = Path(__file__).resolve().parents[1]
REPO_ROOT = PYTHON_ROOT.parents[1]
HEADER = REPO_ROOT / "include" / "pmingest.h"

sys.path.insert(0, str(PYTHON_ROOT))
if not os.environ.get("PMINGEST_LIBRARY"):
    default = REPO_ROOT / ".build-py" / "release" / "libpmingest.so"
    if default.exists():
        os.environ["PMINGEST_LIBRARY"] = str(default)

import pmingest  # noqa: E402  (after the path and environment are set)

TOKEN = "71321045679252212594626385532706912750332728571942532289631379312455583992563"
OTHER_TOKEN = "52114319501245915516055106046884209969926127482827954674443846427813813222426"
CONDITION = "0x" + "ab" * 32
T0 = datetime(2025, 3, 4, 5, 6, 7, 123000, tzinfo=timezone.utc)


def make_trade(**changes) -> pmingest.PolymarketTrade:
    base = pmingest.PolymarketTrade(
        token_id=TOKEN,
        side="BUY",
        price=Decimal("0.95"),
        size=Decimal("84.17"),
        timestamp=T0,
        condition_id=CONDITION,
        transaction_hash="0x" + "12" * 32,
        proxy_wallet="0x" + "34" * 20,
        outcome="Yes",
    )
    return dataclasses.replace(base, **changes)


@pytest.fixture
def db():
    database = pmingest.Database()
    yield database
    database.close()


@pytest.fixture
def trades(db):
    return pmingest.TradeRepository(db)


@pytest.fixture
def watermarks(db):
    return pmingest.TradeWatermarkRepository(db)


@pytest.fixture
def metas(db):
    return pmingest.TokenMetaRepository(db)
