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


# ---------------------------------------------------------------------------------------------
# The fake Polymarket server (Tests/fakepolymarket): one process per test session, one server
# session per test. Control requests go through urllib; the library under test does the API
# requests over its own libcurl transport.
# ---------------------------------------------------------------------------------------------

import json  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import urllib.error  # noqa: E402
import urllib.request  # noqa: E402

FAKE_SERVER = REPO_ROOT / "Tests" / "fakepolymarket" / "server.py"


class FakeServer:
    """The running fake server: its root URL and the control protocol's session factory."""

    def __init__(self, root: str, process: subprocess.Popen) -> None:
        self.root = root
        self.process = process

    def control(self, method: str, path: str, body: object = None) -> object:
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(
            self.root + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as error:  # a typo in a test's control body: fail loudly
            raise AssertionError(
                f"control {method} {path}: {error.code} {error.read()!r}"
            ) from None

    def new_session(self, **body: object) -> "FakeSession":
        answer = self.control("POST", "/_control/sessions", body)
        return FakeSession(self, answer["id"], answer.get("seed"))  # type: ignore[index,union-attr]


class FakeSession:
    """One isolated session: its base URLs, state, faults and request log."""

    def __init__(self, server: FakeServer, session_id: str, seed: object) -> None:
        self.server = server
        self.id = session_id
        self.seed_answer = seed
        base = f"{server.root}/s/{session_id}"
        self.gamma_url, self.clob_url, self.data_url = (
            f"{base}/gamma",
            f"{base}/clob",
            f"{base}/data",
        )
        self._clients: list = []

    def _control(self, method: str, suffix: str, body: object = None) -> object:
        return self.server.control(method, f"/_control/sessions/{self.id}{suffix}", body)

    def seed(self, preset: str = "basic", now: int = None) -> dict:  # type: ignore[assignment]
        body = {"preset": preset}
        if now is not None:
            body["now"] = now
        return self._control("POST", "/seed", body)  # type: ignore[return-value]

    def set_state(self, **state: object) -> None:
        self._control("POST", "/state", state)

    def config(self, **values: object) -> None:
        self._control("POST", "/config", values)

    def faults(self, *rules: dict) -> None:
        self._control("POST", "/faults", {"rules": list(rules)})

    def requests(self, path: str = None) -> list:  # type: ignore[assignment]
        query = "" if path is None else "?path=" + urllib.request.quote(path, safe="/")
        return self._control("GET", "/requests" + query)  # type: ignore[return-value]

    def wait_for_request(self, path: str, count: int = 1, timeout: float = 5.0) -> None:
        """Blocks until the server has logged `count` requests to `path` (e.g. a hung one)."""
        deadline = time.monotonic() + timeout
        while len(self.requests(path)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"no request to {path} within {timeout} s")
            time.sleep(0.01)

    def client(self, **options: object) -> "pmingest.PolymarketClient":
        """A client on this session, small timeouts by default; closed when the test ends."""
        options.setdefault("connect_timeout_ms", 2000)
        options.setdefault("total_timeout_ms", 5000)
        client = pmingest.PolymarketClient(self.gamma_url, self.clob_url, self.data_url, **options)
        self._clients.append(client)
        return client

    def close(self) -> None:
        for client in self._clients:
            client.close()
        try:
            self._control("DELETE", "")
        except Exception:
            pass


@pytest.fixture(scope="session")
def fake_server():
    process = subprocess.Popen(
        [sys.executable, str(FAKE_SERVER), "--port", "0", "--exit-with-parent"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline().strip()  # type: ignore[union-attr]
        if not line.startswith("listening "):
            raise RuntimeError(f"fake server did not start: {line!r} (exit {process.poll()})")
        yield FakeServer(line.split(" ", 1)[1], process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def fake(fake_server):
    """A fresh, empty session of the fake server for this test."""
    session = fake_server.new_session()
    yield session
    session.close()
