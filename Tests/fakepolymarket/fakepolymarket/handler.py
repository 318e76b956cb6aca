"""The HTTP/1.1 request handler: routing, fault execution, request recording, gzip, keep-alive.

Every response carries Content-Length (keep-alive works) unless a fault asks for chunked encoding,
truncation or no response at all.
"""

from __future__ import annotations

import gzip
import fcntl
import re
import select
import socket
import struct
import sys
import termios
import time
import traceback
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, unquote, urlsplit

from . import clob, control, data_api, faults, gamma
from .response import JSON_CT, Response, error, not_found

_API_RE = re.compile(r"^/s/([A-Za-z0-9_.-]+)(/(?:gamma|clob|data)(?:/.*)?)$")
_DEFAULT_API_RE = re.compile(r"^/(?:gamma|clob|data)(?:/.*)?$")
_ROUTES = {"gamma": gamma.handle, "clob": clob.handle, "data": data_api.handle}
MAX_REQUEST_BODY = 256 * 1024 * 1024


class BadRequest(Exception):
    pass


def accepts_gzip(header: str | None) -> bool:
    if not header:
        return False
    for part in header.split(","):
        bits = [b.strip() for b in part.split(";")]
        if bits[0].lower() not in ("gzip", "x-gzip"):
            continue
        q = 1.0
        for b in bits[1:]:
            if b.lower().startswith("q="):
                try:
                    q = float(b[2:])
                except ValueError:
                    q = 0.0
        return q > 0
    return False


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fakepolymarket/1.0"
    sys_version = ""
    timeout = 300  # seconds an idle keep-alive connection is kept
    # TCP_NODELAY: without it, a small response written as headers + body meets the client's delayed
    # ACK and every keep-alive request costs ~40 ms.  (_send also writes headers and body at once.)
    disable_nagle_algorithm = True

    # --- plumbing ---------------------------------------------------------------------------
    def setup(self):
        super().setup()
        self.conn_id = self.server.next_conn_id()

    def handle(self):
        try:
            super().handle()
        except (ConnectionError, TimeoutError, OSError):
            pass  # the client went away; nothing to report

    def version_string(self):
        return self.server_version

    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("fakepolymarket: %s %s\n" % (self.address_string(), fmt % args))

    def do_GET(self):
        self._dispatch()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_GET

    def _read_body(self) -> bytes:
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            chunks, total = [], 0
            while True:
                line = self.rfile.readline(65537)
                try:
                    size = int(line.split(b";")[0].strip(), 16)
                except ValueError:
                    raise BadRequest("bad chunk size")
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(chunks)
                total += size
                if total > MAX_REQUEST_BODY:
                    raise BadRequest("request body too large")
                chunks.append(self.rfile.read(size))
                self.rfile.readline(3)
        cl = self.headers.get("Content-Length")
        if not cl:
            return b""
        try:
            n = int(cl)
        except ValueError:
            raise BadRequest("bad Content-Length")
        if n < 0 or n > MAX_REQUEST_BODY:
            raise BadRequest("bad Content-Length")
        return self.rfile.read(n)

    # --- dispatch ---------------------------------------------------------------------------
    def _dispatch(self):
        t = time.time()
        try:
            body = self._read_body()
        except BadRequest as e:
            self.close_connection = True
            self._send(error(400, str(e)), gzip_ok=False)
            return
        split = urlsplit(self.path)
        path = unquote(split.path)
        query = parse_qs(split.query, keep_blank_values=True)
        method = self.command.upper()

        if path == "/_control" or path.startswith("/_control/"):
            resp = self._safely(lambda: control.handle(self.server, method, path, query, body))
            self._send(resp, gzip_ok=False)
            return

        m = _API_RE.match(path)
        if m:
            sid, api_path = m.group(1), m.group(2)
        elif _DEFAULT_API_RE.match(path):
            sid, api_path = "default", path
        else:
            self._send(not_found(path), gzip_ok=False)
            return
        session = self.server.sessions.get(sid)
        if session is None:
            self._send(error(404, f"no such session {sid!r}"), gzip_ok=False)
            return

        headers: dict[str, str] = {}
        for k, v in self.headers.items():
            k = k.lower()
            headers[k] = f"{headers[k]}, {v}" if k in headers else v
        entry = {
            "method": method, "path": api_path, "query": query, "headers": headers,
            "body": body.decode("utf-8", "replace"), "t": t, "conn": self.conn_id,
            "raw_query": split.query,
        }
        _idx, rule = session.admit(entry, method, api_path, query)
        _data, config = session.snapshot()

        if rule is not None:
            if rule.delay_ms and self.server.stopping.wait(rule.delay_ms / 1000.0):
                self.close_connection = True
                return
            if rule.hang:
                self._hang()
                return
            if rule.close_connection:
                self._drop(reset=rule.close_connection == "reset")
                return

        if rule is not None and rule.replaces_response:
            status = rule.status if rule.status is not None else 200
            rbody = rule.body.encode("utf-8") if rule.body is not None else faults.default_body(status)
            resp = Response(status=status, body=rbody, content_type=JSON_CT)
        else:
            area, rest = api_path[1:].split("/", 1) if "/" in api_path[1:] else (api_path[1:], "")
            rest = "/" + rest
            resp = self._safely(lambda: _ROUTES[area](session, method, rest, query, body))

        if rule is not None and rule.http09:
            self._send_http09(resp.body)
            return

        gzip_ok = config["gzip"]
        truncate_at, chunked, reset_at, slow_body_ms = None, False, None, None
        if rule is not None:
            if rule.oversize_bytes is not None:
                resp.body = faults.oversize_body(resp.value, resp.has_value, rule.oversize_bytes)
                resp.content_type = JSON_CT
                resp.status = rule.status if rule.status is not None else 200
            if rule.content_type is not None:
                resp.content_type = rule.content_type
            resp.headers.update(rule.headers)
            if rule.retry_after_date_in is not None:
                resp.headers["Retry-After"] = formatdate(time.time() + rule.retry_after_date_in, usegmt=True)
            if rule.gzip is not None:
                gzip_ok = rule.gzip
            truncate_at, chunked = rule.truncate_at, rule.chunked
            reset_at, slow_body_ms = rule.reset_at, rule.slow_body_ms
        self._send(resp, gzip_ok=gzip_ok, truncate_at=truncate_at, chunked=chunked, reset_at=reset_at,
                   slow_body_ms=slow_body_ms)

    def _safely(self, fn) -> Response:
        try:
            return fn()
        except Exception as e:  # a bug in the fake: say so loudly, keep serving
            traceback.print_exc(file=sys.stderr)
            return error(500, f"fakepolymarket internal error: {type(e).__name__}: {e}")

    # --- fault behaviours -------------------------------------------------------------------
    def _hang(self):
        """Never answer: wait until the client closes the connection or the server stops."""
        sock = self.connection
        stopping = self.server.stopping
        while not stopping.is_set():
            try:
                readable, _, _ = select.select([sock], [], [], 0.1)
                if readable:
                    if not sock.recv(1, socket.MSG_PEEK):
                        break  # client closed
                    stopping.wait(0.1)  # client sent more bytes; keep ignoring them
            except (OSError, ValueError):
                break
        self.close_connection = True

    def _drop(self, reset: bool):
        self.close_connection = True
        if reset:
            try:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()  # RST, no FIN
            except OSError:
                pass

    # --- writing ----------------------------------------------------------------------------
    def _send_http09(self, body: bytes):
        """An HTTP/0.9-style answer: the body bytes alone (no status line, no headers, never
        gzipped), then the connection is closed, which is how such a reply ends."""
        self.close_connection = True
        try:
            self.wfile.write(body)
            self.wfile.flush()
        except OSError:
            pass

    def _send(self, resp: Response, gzip_ok: bool, truncate_at: int | None = None, chunked: bool = False,
              reset_at: int | None = None, slow_body_ms: int | None = None):
        body = resp.body
        hdrs: dict[str, tuple[str, str]] = {}
        if resp.content_type is not None:
            hdrs["content-type"] = ("Content-Type", resp.content_type)
        if gzip_ok and accepts_gzip(self.headers.get("Accept-Encoding")):
            body = gzip.compress(body, compresslevel=6, mtime=0)
            hdrs["content-encoding"] = ("Content-Encoding", "gzip")
            hdrs["vary"] = ("Vary", "Accept-Encoding")
        for k, v in resp.headers.items():
            hdrs[k.lower()] = (k, v)
        if chunked:
            hdrs.pop("content-length", None)
            hdrs["transfer-encoding"] = ("Transfer-Encoding", "chunked")
        elif "content-length" not in hdrs:
            hdrs["content-length"] = ("Content-Length", str(len(body)))
        if self.close_connection:
            hdrs.setdefault("connection", ("Connection", "close"))

        self.send_response(resp.status)
        for name, value in hdrs.values():
            self.send_header(name, value)
        # end_headers() without its separate flush: the head goes out in the same write as the body.
        self._headers_buffer.append(b"\r\n")
        head = b"".join(self._headers_buffer)
        self._headers_buffer = []

        cut = truncate_at if truncate_at is not None else reset_at
        truncated = cut is not None
        out = body[:cut] if truncated else body
        if chunked:
            step = 16384
            pieces = []
            for i in range(0, len(out), step):
                piece = out[i:i + step]
                pieces.append(b"%x\r\n%s\r\n" % (len(piece), piece))
            if not truncated:
                pieces.append(b"0\r\n\r\n")
            out = b"".join(pieces)
        try:
            if slow_body_ms:
                self._trickle(head, out, slow_body_ms)
            else:
                self.wfile.write(head + out)
                self.wfile.flush()
        except OSError:
            self.close_connection = True
            return
        if reset_at is not None:
            self._wait_acked()
            self._drop(reset=True)
        elif truncated:
            self.close_connection = True

    def _trickle(self, head: bytes, out: bytes, interval_ms: int):
        """The slowloris body: the head at once, then one body byte every `interval_ms` until the
        body is sent, the client goes away (OSError) or the server stops."""
        self.wfile.write(head)
        self.wfile.flush()
        for i in range(len(out)):
            if self.server.stopping.wait(interval_ms / 1000.0):
                raise OSError("server stopping")
            self.wfile.write(out[i:i + 1])
            self.wfile.flush()

    def _wait_acked(self, timeout: float = 1.0):
        """Waits (bounded) until the peer has acknowledged everything sent: a RST discards unacked
        data, and `reset_at` promises the client gets its N bytes before the reset."""
        deadline = time.monotonic() + timeout
        buf = struct.pack("i", 0)
        while time.monotonic() < deadline:
            try:
                if struct.unpack("i", fcntl.ioctl(self.connection.fileno(), termios.TIOCOUTQ, buf))[0] == 0:
                    return
            except OSError:
                return
            time.sleep(0.005)
