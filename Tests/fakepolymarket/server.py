#!/usr/bin/env python3
"""Fake Polymarket server for tests and the demo.

    python3 Tests/fakepolymarket/server.py --port 0 [--host 127.0.0.1] [--exit-with-parent]

Prints exactly one line, `listening http://127.0.0.1:PORT`, to stdout once it accepts connections.
REST needs only the standard library; the WebSocket market channel on the same port
(ws://127.0.0.1:PORT/s/<id>/ws/market) needs the `websockets` package (use .venv/bin/python).
The control protocol is in README.md beside this file.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from fakepolymarket.app import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
