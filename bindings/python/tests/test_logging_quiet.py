"""The library's warnings with and without logging configured: a library never prints on its own
(the ``pmingest`` logger's NullHandler), and configured logging still shows them."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap

import pmingest

from conftest import PYTHON_ROOT

A_YES = "144025376118479892262749490880200562967355458335621099086839387638815271716888"

CHILD = textwrap.dedent(
    """
    import logging, sys
    sys.path.insert(0, sys.argv[1])
    if sys.argv[5] == "configured":
        logging.basicConfig(level=logging.WARNING, format="LOGGED %(name)s %(message)s")
    import pmingest
    client = pmingest.PolymarketClient(sys.argv[2], sys.argv[3], sys.argv[2], connect_timeout_ms=2000,
                                       total_timeout_ms=5000)
    book = client.fetch_orderbook(sys.argv[4])  # one 503 first: the library logs its retry
    client.close()
    print("fetched", len(book.bids) > 0)
    """
)


def _run_child(fake, mode: str) -> subprocess.CompletedProcess:
    fake.faults({"path": "/clob/book", "times": 1, "status": 503, "headers": {"Retry-After": "0"}})
    return subprocess.run(
        [sys.executable, "-c", CHILD, str(PYTHON_ROOT), fake.gamma_url, fake.clob_url, A_YES, mode],
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ),
    )


def test_the_pmingest_logger_has_a_null_handler():
    handlers = logging.getLogger("pmingest").handlers
    assert any(isinstance(handler, logging.NullHandler) for handler in handlers)


def test_no_logging_configured_prints_nothing_on_stderr(fake):
    fake.seed("basic")
    child = _run_child(fake, "unconfigured")
    assert child.returncode == 0, child.stderr
    assert child.stdout.strip() == "fetched True"
    assert child.stderr == ""  # the retry warning went nowhere, not to logging's last resort
    # ... and the warning was there to be printed: the server saw the retry
    assert len(fake.requests("/clob/book")) == 2


def test_configured_logging_shows_the_library_warning(fake):
    fake.seed("basic")
    child = _run_child(fake, "configured")
    assert child.returncode == 0, child.stderr
    assert child.stdout.strip() == "fetched True"
    lines = [line for line in child.stderr.splitlines() if line.startswith("LOGGED pmingest.http")]
    assert lines and "HTTP 503" in lines[0], child.stderr
    assert pmingest.__name__ == "pmingest"
