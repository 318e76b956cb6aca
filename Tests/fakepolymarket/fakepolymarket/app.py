"""Server construction and process lifecycle (CLI flags, signals, --exit-with-parent)."""

from __future__ import annotations

import argparse
import ipaddress
import itertools
import os
import signal
import socket
import socketserver
import sys
import threading
from http.server import ThreadingHTTPServer

from . import presets, ws
from .handler import Handler
from .sessions import SessionStore


class FakeServer(ThreadingHTTPServer):
    daemon_threads = True      # handler threads never keep the process alive
    block_on_close = False     # server_close() does not join them (a hung request must not block exit)
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address, *, verbose: bool = False, default_preset: str = "basic", strict_ws: bool = False):
        self.strict_ws = strict_ws   # every WebSocket connection enforces the real server's rules (ws.py)
        self.sessions = SessionStore()
        self.stopping = threading.Event()        # set at shutdown: releases hangs and delays
        self.stop_requested = threading.Event()  # set by signals / POST /_control/shutdown / parent death
        self.verbose = verbose
        self._conn_ids = itertools.count(1)
        self._conn_lock = threading.Lock()
        # The WebSocket market channel shares this port: ws.handler_class wraps the REST handler
        # (channel paths and /_control/sessions/<id>/ws*), REST is unchanged.
        super().__init__(address, ws.handler_class(Handler))
        ws.preload()
        default = self.sessions.create("default")
        if default_preset != "empty":
            data, _summary = presets.PRESETS[default_preset]()
            default.replace_data(data)

    def server_bind(self):
        # Skip HTTPServer.server_bind's socket.getfqdn() (a reverse DNS lookup: slow in sandboxes).
        socketserver.TCPServer.server_bind(self)
        self.server_name = str(self.server_address[0])
        self.server_port = self.server_address[1]

    def next_conn_id(self) -> int:
        with self._conn_lock:
            return next(self._conn_ids)

    def request_stop(self):
        self.stop_requested.set()

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)) and not self.verbose:
            return
        super().handle_error(request, client_address)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{port}"


class FakeServer6(FakeServer):
    address_family = socket.AF_INET6


def loopback_host(host: str) -> str | None:
    """The host to bind, or None when it is not a loopback address."""
    if host == "localhost":
        return "127.0.0.1"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return None
    return str(ip) if ip.is_loopback else None


def parse_args(argv):
    p = argparse.ArgumentParser(prog="server.py", description="Fake Polymarket REST + WebSocket server for tests (loopback only).")
    p.add_argument("--port", type=int, default=0, help="TCP port; 0 = pick a free one (default)")
    p.add_argument("--host", default="127.0.0.1", help="loopback address to bind (127.0.0.0/8, ::1, localhost)")
    p.add_argument("--exit-with-parent", action="store_true",
                   help="exit when the parent process dies (os.getppid() polled every 0.5 s)")
    p.add_argument("--default-preset", choices=sorted(presets.PRESETS), default="basic",
                   help="what the always-present 'default' session is seeded with (default: basic)")
    p.add_argument("--verbose", action="store_true", help="log requests and errors to stderr")
    p.add_argument("--strict-ws", action="store_true",
                   help="WebSocket connections enforce the real market channel's subscription rules "
                        "(a script's \"strict\" overrides it per session)")
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    host = loopback_host(args.host)
    if host is None:
        print(f"server.py: refusing to bind non-loopback host {args.host!r}", file=sys.stderr)
        return 2
    if not 0 <= args.port <= 65535:
        print(f"server.py: bad port {args.port}", file=sys.stderr)
        return 2
    cls = FakeServer6 if ":" in host else FakeServer
    try:
        server = cls((host, args.port), verbose=args.verbose, default_preset=args.default_preset,
                     strict_ws=args.strict_ws)
    except OSError as e:
        print(f"server.py: cannot bind {host}:{args.port}: {e}", file=sys.stderr)
        return 1

    stop = server.stop_requested
    stop_signals = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
    for sig in stop_signals:
        signal.signal(sig, lambda *_: stop.set())
    # A child of `swift test` can inherit a mask that BLOCKS these signals: unblock them
    # here, before any thread starts, so SIGTERM/SIGINT always stop the server.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, stop_signals)

    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                     name="serve_forever", daemon=True).start()

    if args.exit_with_parent:
        parent = os.getppid()

        def watch_parent():
            while not stop.wait(0.5):
                if os.getppid() != parent:
                    stop.set()

        threading.Thread(target=watch_parent, name="watch_parent", daemon=True).start()

    sys.stdout.write(f"listening {server.url}\n")
    sys.stdout.flush()

    while not stop.wait(0.2):
        pass

    # Prompt exit: release hangs/delays, stop accepting, close the listener; never join handlers.
    server.stopping.set()
    watchdog = threading.Timer(1.5, lambda: os._exit(0))
    watchdog.daemon = True
    watchdog.start()
    server.shutdown()
    server.server_close()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:
        pass
    os._exit(0)
