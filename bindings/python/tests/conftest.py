"""Test setup: import the package from this source tree and load the library named by
$PMINGEST_LIBRARY (defaulting to the repository's .build-py release build when it exists)."""

from __future__ import annotations

import dataclasses
import os
import signal
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

# A parent that ignores SIGINT (a non-interactive shell's background job does) starts Python
# without its KeyboardInterrupt handler: interrupt_main() then does nothing, and the Ctrl-C tests
# would fail or wait forever. They test the binding under Python's default handler: restore it.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

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
VENV_PYTHON = REPO_ROOT / ".venv" / "bin" / "python"


def _server_python() -> str:
    """The interpreter for the fake server. Its WebSocket channel needs the `websockets`
    package, which the project venv has (the REST part is standard library only): prefer the
    venv's python, else this interpreter."""
    return str(VENV_PYTHON) if VENV_PYTHON.exists() else sys.executable


def _has_websockets(python: str) -> bool:
    probe = subprocess.run([python, "-c", "import websockets"], capture_output=True)
    return probe.returncode == 0


class FakeServer:
    """The running fake server: its root URL and the control protocol's session factory."""

    def __init__(self, root: str, process: subprocess.Popen, websockets: bool) -> None:
        self.root = root
        self.process = process
        self.websockets = websockets  # the server's interpreter can serve the WS channel

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
        self.ws_url = "ws://" + server.root[len("http://"):] + f"/s/{session_id}/ws/market"

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

    # ---- the WebSocket channel (Tests/fakepolymarket/fakepolymarket/ws.py) ----------------

    def ws_script(self, *scripts: dict) -> None:
        """Scripts the next connections: the n-th connection follows scripts[n] (the last one
        repeats). An empty script {} is a plain channel: book dump on subscribe, PONGs."""
        self._control("POST", "/ws", {"scripts": list(scripts) or [{}]})

    def ws_send(self, *frames: dict) -> int:
        """Sends frames on every open connection of the session; returns how many got them."""
        answer = self._control("POST", "/ws/send", {"frames": list(frames)})
        return answer["sent_to"]  # type: ignore[index]

    def ws_drop(self, **body: object) -> int:
        """Drops every open connection (close_code, close_reason, mode "fin"/"reset")."""
        answer = self._control("POST", "/ws/drop", body)
        return answer["dropped"]  # type: ignore[index]

    def ws_log(self) -> list:
        """The WS entries of the request log: connects, client texts (subscribe, PING), ..."""
        return [entry for entry in self.requests("/ws/market") if entry.get("method") == "WS"]

    def stream(self, **options: object) -> "pmingest.WebSocketClient":
        """A WebSocketClient on this session's channel (silence watchdog off by default);
        closed when the test ends."""
        options.setdefault("asset_silence_timeout_ms", 0)
        client = pmingest.WebSocketClient(self.ws_url, **options)
        self._clients.append(client)
        return client

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
    python = _server_python()
    process = subprocess.Popen(
        [python, str(FAKE_SERVER), "--port", "0", "--exit-with-parent", "--strict-ws"],  # the strict wire
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline().strip()  # type: ignore[union-attr]
        if not line.startswith("listening "):
            raise RuntimeError(f"fake server did not start: {line!r} (exit {process.poll()})")
        yield FakeServer(line.split(" ", 1)[1], process, _has_websockets(python))
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


@pytest.fixture
def ws_fake(fake):
    """As `fake`, for tests of the WebSocket channel (skipped when the server's interpreter has
    no `websockets` package: run the tests with the project venv)."""
    if not fake.server.websockets:
        pytest.skip("the fake server's python lacks `websockets` (use .venv/bin/python)")
    return fake
