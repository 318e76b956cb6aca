"""The fake WebSocket market channel (wss://ws-subscriptions-clob.polymarket.com/ws/market,
docs/wire/market-channel.md), served on the SAME port as the REST API.

    ws://127.0.0.1:PORT/s/<id>/ws/market        (a session's channel)
    ws://127.0.0.1:PORT/ws/market               (the `default` session)

How it is wired: `handler_class(Handler)` (app.py) wraps the REST handler. A GET with
`Upgrade: websocket` on a channel path is taken over by this module on the handler's own thread
(ThreadingHTTPServer gives one thread per connection); everything else, REST included, goes to the
unchanged REST handler. The WebSocket protocol itself is the `websockets` package's sans-I/O
`ServerProtocol` (the package is needed only once a client upgrades: the REST server still runs on a
bare standard library, and an upgrade without the package answers 501).

Per session, a **script** (README §10, `POST /_control/sessions/<id>/ws`) decides what each
connection does: the initial book dump built from the session's `books`, frames sent on connect /
on subscribe / per asset / periodically, whether `PING` gets its `PONG`, silenced assets, abrupt
drops and close codes, garbage/oversize/invalid-UTF-8/binary/fragmented frames, refused or hung
handshakes. Received client messages (subscribe payloads, PINGs) go to the session's request log
with method "WS".
"""

from __future__ import annotations

import heapq
import itertools
import re
import select
import socket
import struct
import threading
import time
import weakref
from urllib.parse import unquote, urlsplit

from . import jsonraw
from .response import Response, error, json_response

from .sessions import ValidationError  # bad control input: answered 400

CHANNEL_PATH = "/ws/market"
_SESSION_WS_RE = re.compile(r"^/s/([A-Za-z0-9_.-]+)/ws/market/?$")
_CONTROL_RE = re.compile(r"^/_control/sessions/([^/]+)/ws(/send|/drop|/flood)?/?$")

FRAME_KINDS = ("json", "text", "text_hex", "binary_hex", "oversize", "books")
FRAME_MODIFIERS = ("fragment", "delay_ms", "asset", "cut")
SCRIPT_KEYS = (
    "dump", "on_connect", "on_subscribe", "per_asset", "periodic", "pong", "silence_assets",
    "only_subscribed", "drop_after_ms", "drop_mode", "close_code", "close_reason", "reject_status",
    "hang_handshake", "note", "drop_after_subscribe", "drop_only_if_subscribed",
    "strict", "max_assets_per_frame", "max_assets_per_connection", "frame_limit_close_ms", "handshake_limit",
)

# The strict wire (docs/wire/market-channel.md, "Protocol rules"): the defaults a strict connection
# enforces unless its script overrides them.
STRICT_MAX_ASSETS_PER_FRAME = 250
STRICT_MAX_ASSETS_PER_CONNECTION = 500
STRICT_FRAME_LIMIT_CLOSE_MS = 150


# Linux TCP states (include/net/tcp_states.h) in which the peer has not yet closed its side.
_PEER_OPEN_TCP_STATES = (1, 4, 5)   # ESTABLISHED, FIN_WAIT1, FIN_WAIT2


def peer_open(sock: socket.socket) -> bool:
    """Whether the peer has not closed its side of `sock`, asked of the kernel's TCP state
    (TCP_INFO's first byte). A FIN or RST counts even behind bytes this server has not read yet:
    a client that echoes the close frame and closes at once (libwebsockets does) is closed, however
    late the old connection's thread gets to read the echo. A MSG_PEEK would see only the echo."""
    try:
        return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 1)[0] in _PEER_OPEN_TCP_STATES
    except (OSError, ValueError):
        return False   # our side is closed already


def available() -> bool:
    try:
        import websockets  # noqa: F401
    except ImportError:
        return False
    return True


def preload() -> None:
    """Imports the WebSocket protocol modules at start-up when they are installed, so the first
    upgrade does not pay for the import: hundreds of ms on a loaded machine, enough to trip a
    client's short connect timeout in a test."""
    try:
        import websockets.frames  # noqa: F401
        import websockets.http11  # noqa: F401
        import websockets.server  # noqa: F401
    except ImportError:
        pass


# ------------------------------------------------------------------------------------------------
# validation
# ------------------------------------------------------------------------------------------------
def _int(value, name: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValidationError(f"{name} must be an integer >= {minimum}")
    return value


def _str_list(value, name: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise ValidationError(f"{name} must be an array of strings")
    return list(value)


def _hex(value, name: str) -> bytes:
    if not isinstance(value, str):
        raise ValidationError(f"{name} must be a hex string")
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise ValidationError(f"{name}: not hex: {value[:40]!r}")


class Frame:
    """One validated frame spec (README §10.2)."""

    __slots__ = ("kind", "value", "fragment", "delay_ms", "asset", "cut")

    def __init__(self, kind, value, fragment=None, delay_ms=0, asset=None, cut=None):
        self.kind, self.value, self.fragment, self.delay_ms, self.asset = kind, value, fragment, delay_ms, asset
        self.cut = cut  # send only this many bytes of the frame's wire encoding, then drop (fin)


def parse_frame(spec, where: str) -> Frame:
    if not isinstance(spec, dict):
        raise ValidationError(f"{where}: a frame is an object with one of {list(FRAME_KINDS)}")
    unknown = set(spec) - set(FRAME_KINDS) - set(FRAME_MODIFIERS)
    if unknown:
        raise ValidationError(f"{where}: unknown frame key(s) {sorted(unknown)}")
    kinds = [k for k in FRAME_KINDS if k in spec]
    if len(kinds) != 1:
        raise ValidationError(f"{where}: a frame needs exactly one of {list(FRAME_KINDS)}")
    kind = kinds[0]
    value = spec[kind]
    if kind == "text" and not isinstance(value, str):
        raise ValidationError(f"{where}: text must be a string")
    if kind in ("text_hex", "binary_hex"):
        value = _hex(value, f"{where}.{kind}")
    if kind == "oversize":
        value = _int(value, f"{where}.oversize", 2)
    if kind == "books" and value != "subscribed":
        value = _str_list(value, f"{where}.books")
    fragment = spec.get("fragment")
    if fragment is not None:
        fragment = _int(fragment, f"{where}.fragment", 1)
    delay_ms = _int(spec.get("delay_ms", 0), f"{where}.delay_ms")
    asset = spec.get("asset")
    if asset is not None and not isinstance(asset, str):
        raise ValidationError(f"{where}.asset must be a string")
    cut = spec.get("cut")
    if cut is not None:
        cut = _int(cut, f"{where}.cut", 1)
    return Frame(kind, value, fragment, delay_ms, asset, cut)


def _frames(value, where: str) -> list[Frame]:
    if not isinstance(value, list):
        raise ValidationError(f"{where} must be an array of frames")
    return [parse_frame(f, f"{where}[{i}]") for i, f in enumerate(value)]


class Script:
    """What one connection does (README §10.1). Built only by `parse_script`."""

    def __init__(self):
        self.dump = True
        self.on_connect: list[Frame] = []
        self.on_subscribe: list[Frame] = []
        self.per_asset: dict[str, list[Frame]] = {}
        self.periodic: list[tuple[int, int, list[Frame]]] = []   # (every_ms, start_ms, frames)
        self.pong = True
        self.silence_assets: set[str] = set()
        self.only_subscribed = True
        self.drop_after_ms: int | None = None
        self.drop_only_if_subscribed: str | None = None   # drop_after_ms applies only to the socket holding it
        self.drop_mode = "fin"
        self.close_code: int | None = None
        self.close_reason = ""
        self.reject_status: int | None = None
        self.hang_handshake = False
        self.drop_after_subscribe = False
        self.strict: bool | None = None          # None: the server's --strict-ws decides
        self.max_assets_per_frame = STRICT_MAX_ASSETS_PER_FRAME
        self.max_assets_per_connection = STRICT_MAX_ASSETS_PER_CONNECTION
        self.frame_limit_close_ms = STRICT_FRAME_LIMIT_CLOSE_MS
        self.handshake_limit: tuple[int, int] | None = None   # (handshakes, window_ms) per session


def parse_script(obj, where: str = "script") -> Script:
    if not isinstance(obj, dict):
        raise ValidationError(f"{where} must be an object")
    unknown = set(obj) - set(SCRIPT_KEYS)
    if unknown:
        raise ValidationError(f"{where}: unknown key(s) {sorted(unknown)}; known: {list(SCRIPT_KEYS)}")
    s = Script()
    for key in ("dump", "pong", "only_subscribed", "hang_handshake", "drop_after_subscribe"):
        if key in obj:
            if not isinstance(obj[key], bool):
                raise ValidationError(f"{where}.{key} must be a boolean")
            setattr(s, key, obj[key])
    for key in ("on_connect", "on_subscribe"):
        if key in obj:
            setattr(s, key, _frames(obj[key], f"{where}.{key}"))
    if "per_asset" in obj:
        pa = obj["per_asset"]
        if not isinstance(pa, dict):
            raise ValidationError(f"{where}.per_asset must be an object {{asset_id: [frames]}}")
        s.per_asset = {k: _frames(v, f"{where}.per_asset[{k}]") for k, v in pa.items()}
    if "periodic" in obj:
        if not isinstance(obj["periodic"], list):
            raise ValidationError(f"{where}.periodic must be an array")
        for i, p in enumerate(obj["periodic"]):
            w = f"{where}.periodic[{i}]"
            if not isinstance(p, dict) or set(p) - {"every_ms", "start_ms", "frames"} or "every_ms" not in p:
                raise ValidationError(f'{w} must be {{"every_ms": N, "start_ms"?: N, "frames": [...]}}')
            every = _int(p["every_ms"], f"{w}.every_ms", 1)
            start = _int(p.get("start_ms", every), f"{w}.start_ms")
            s.periodic.append((every, start, _frames(p.get("frames", []), f"{w}.frames")))
    if "silence_assets" in obj:
        s.silence_assets = set(_str_list(obj["silence_assets"], f"{where}.silence_assets"))
    if obj.get("drop_after_ms") is not None:
        s.drop_after_ms = _int(obj["drop_after_ms"], f"{where}.drop_after_ms")
    if obj.get("drop_only_if_subscribed") is not None:
        if not isinstance(obj["drop_only_if_subscribed"], str) or s.drop_after_ms is None:
            raise ValidationError(f"{where}.drop_only_if_subscribed must be an asset id string, with drop_after_ms")
        s.drop_only_if_subscribed = obj["drop_only_if_subscribed"]
    if "drop_mode" in obj:
        if obj["drop_mode"] not in ("fin", "reset"):
            raise ValidationError(f'{where}.drop_mode must be "fin" or "reset"')
        s.drop_mode = obj["drop_mode"]
    if obj.get("close_code") is not None:
        s.close_code = _close_code(obj["close_code"], f"{where}.close_code")
    if "close_reason" in obj:
        if not isinstance(obj["close_reason"], str):
            raise ValidationError(f"{where}.close_reason must be a string")
        s.close_reason = obj["close_reason"]
    if obj.get("strict") is not None:
        if not isinstance(obj["strict"], bool):
            raise ValidationError(f"{where}.strict must be a boolean")
        s.strict = obj["strict"]
    for key in ("max_assets_per_frame", "max_assets_per_connection"):
        if key in obj:
            setattr(s, key, _int(obj[key], f"{where}.{key}", 1))
    if "frame_limit_close_ms" in obj:
        s.frame_limit_close_ms = _int(obj["frame_limit_close_ms"], f"{where}.frame_limit_close_ms")
    if obj.get("handshake_limit") is not None:
        hl = obj["handshake_limit"]
        if not isinstance(hl, dict) or set(hl) != {"count", "window_ms"}:
            raise ValidationError(f'{where}.handshake_limit must be {{"count": N, "window_ms": N}}')
        s.handshake_limit = (_int(hl["count"], f"{where}.handshake_limit.count", 1),
                             _int(hl["window_ms"], f"{where}.handshake_limit.window_ms", 1))
    if obj.get("reject_status") is not None:
        s.reject_status = _int(obj["reject_status"], f"{where}.reject_status", 200)
        if s.reject_status == 101 or s.reject_status > 599:
            raise ValidationError(f"{where}.reject_status must be an HTTP status 200..599")
    return s


def _close_code(value, name: str) -> int:
    code = _int(value, name, 1000)
    if code in (1004, 1005, 1006, 1015) or 1016 <= code <= 2999 or code > 4999:
        raise ValidationError(f"{name}: {code} cannot be sent in a close frame")
    return code


# ------------------------------------------------------------------------------------------------
# flood: load for soak tests (README §10.5)
# ------------------------------------------------------------------------------------------------
FLOOD_KEYS = ("frames", "count", "drop_every", "drop_mode")
FLOOD_CHUNK = 256   # frames per write; the connection reads PINGs and control between chunks


class Flood:
    """A session-wide budget of `count` frames cycling through pre-encoded `frames`, shared by the
    session's subscribed connections; each connection is dropped after `drop_every` of them."""

    def __init__(self, frames: list[bytes], count: int, drop_every: int | None, drop_mode: str):
        self.frames, self.count, self.drop_every, self.drop_mode = frames, count, drop_every, drop_mode
        self.lock = threading.Lock()
        self.sent = 0
        self.drops = 0

    def take(self, wanted: int) -> tuple[int, int]:
        """Reserves up to `wanted` frames: (index of the first in the whole flood, how many)."""
        with self.lock:
            n = max(0, min(wanted, self.count - self.sent))
            first = self.sent
            self.sent += n
            return first, n

    def report(self) -> dict:
        with self.lock:
            return {"count": self.count, "sent": self.sent, "drops": self.drops, "done": self.sent >= self.count}


def parse_flood(req) -> Flood:
    if not isinstance(req, dict) or set(req) - set(FLOOD_KEYS) or "frames" not in req or "count" not in req:
        raise ValidationError('flood body must be {"frames": [...], "count": N, "drop_every"?: K, "drop_mode"?: "fin"|"reset"}')
    frames = _frames(req["frames"], "frames")
    if not frames:
        raise ValidationError("frames must not be empty")
    from websockets.frames import Frame as WSFrame, Opcode
    encoded = []
    for i, f in enumerate(frames):
        if f.kind not in ("json", "text") or f.fragment or f.delay_ms or f.asset is not None:
            raise ValidationError(f"frames[{i}]: a flood frame is a plain json or text frame")
        payload = jsonraw.dumps_bytes(f.value) if f.kind == "json" else f.value.encode("utf-8")
        encoded.append(WSFrame(Opcode.TEXT, payload).serialize(mask=False))
    count = _int(req["count"], "count")
    drop_every = _int(req["drop_every"], "drop_every", 1) if req.get("drop_every") is not None else None
    mode = req.get("drop_mode", "fin")
    if mode not in ("fin", "reset"):
        raise ValidationError('drop_mode must be "fin" or "reset"')
    return Flood(encoded, count, drop_every, mode)


# ------------------------------------------------------------------------------------------------
# per-session state
# ------------------------------------------------------------------------------------------------
class SessionWS:
    """A session's WebSocket script list, connection counter and open connections."""

    def __init__(self):
        self.lock = threading.Lock()
        self.raw: list = [{}]
        self.scripts: list[Script] = [Script()]
        self.accepted_since_post = 0
        self.connections = 0
        self.open: dict[int, "Connection"] = {}
        self.flood: "Flood | None" = None
        self.handshakes: list[float] = []   # monotonic times of accepted handshakes (handshake_limit)
        self.rate_limited = 0               # handshakes answered 429 by handshake_limit

    def set_scripts(self, raw: list, scripts: list[Script]):
        with self.lock:
            self.raw, self.scripts, self.accepted_since_post = raw, scripts, 0

    def over_handshake_limit(self, limit: tuple[int, int]) -> bool:
        """Records a handshake; True when it is beyond `limit` = (count, window_ms) in the window."""
        count, window_ms = limit
        now = time.monotonic()
        with self.lock:
            self.handshakes = [t for t in self.handshakes if now - t < window_ms / 1000.0]
            if len(self.handshakes) >= count:
                self.rate_limited += 1
                return True
            self.handshakes.append(now)
            return False

    def next_script(self) -> tuple[int, Script]:
        with self.lock:
            index = self.accepted_since_post
            self.accepted_since_post += 1
            self.connections += 1
            return index, self.scripts[min(index, len(self.scripts) - 1)]


_states: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_states_lock = threading.Lock()


def state_for(session) -> SessionWS:
    with _states_lock:
        st = _states.get(session)
        if st is None:
            st = SessionWS()
            _states[session] = st
        return st


def log(session, conn_id: int, kind: str, body: str = "", headers: dict | None = None, **extra) -> None:
    """Appends a WS entry to the session's request log (same keys as an HTTP entry, plus `ws`)."""
    entry = {"method": "WS", "path": CHANNEL_PATH, "query": {}, "raw_query": "", "headers": headers or {},
             "body": body, "t": time.time(), "conn": conn_id, "fault": None, "ws": kind}
    entry.update(extra)
    with session.lock:
        entry["seq"] = len(session.requests)
        session.requests.append(entry)


# ------------------------------------------------------------------------------------------------
# control: /_control/sessions/<id>/ws[/send|/drop]
# ------------------------------------------------------------------------------------------------
def is_control_path(path: str) -> bool:
    return bool(_CONTROL_RE.match(path))


def handle_control(server, method: str, path: str, body: bytes) -> Response:
    try:
        return _handle_control(server, method, path, body)
    except ValidationError as e:
        return error(400, str(e))


def _json_body(body: bytes, optional: bool = False):
    if not body.strip():
        if optional:
            return {}
        raise ValidationError("a JSON body is required")
    try:
        return jsonraw.loads(body)
    except (ValueError, UnicodeDecodeError) as e:
        raise ValidationError(f"invalid JSON body: {e}")


def _handle_control(server, method: str, path: str, body: bytes) -> Response:
    m = _CONTROL_RE.match(path)
    sid, sub = m.group(1), m.group(2) or ""
    session = server.sessions.get(sid)
    if session is None:
        return error(404, f"no such session {sid!r}")
    st = state_for(session)
    if sub == "":
        if method == "POST":
            req = _json_body(body)
            if isinstance(req, dict) and set(req) == {"scripts"}:
                raw = req["scripts"]
                if not isinstance(raw, list) or not raw:
                    raise ValidationError("scripts must be a non-empty array of script objects")
            else:
                raw = [req]
            scripts = [parse_script(s, f"scripts[{i}]") for i, s in enumerate(raw)]
            st.set_scripts(raw, scripts)
            return json_response({"ok": True, "scripts": len(scripts)})
        if method == "GET":
            with st.lock:
                answer = {"scripts": st.raw, "connections": st.connections, "open": len(st.open)}
                if st.open:
                    answer["open_assets"] = {str(cid): len(c.subscribed) for cid, c in st.open.items()}
                if st.rate_limited:
                    answer["rate_limited"] = st.rate_limited
                if st.flood is not None:
                    answer["flood"] = st.flood.report()
                return json_response(answer)
        if method == "DELETE":
            st.set_scripts([{}], [Script()])
            st.flood = None
            return json_response({"ok": True})
        return error(405, "method not allowed")
    if sub == "/flood":
        return _handle_flood(st, method, body)
    if method != "POST":
        return error(405, "method not allowed")
    req = _json_body(body, optional=True)
    if not isinstance(req, dict):
        raise ValidationError("body must be an object")
    with st.lock:
        targets = list(st.open.values())
    if sub == "/send":
        if set(req) - {"frames"}:
            raise ValidationError('send body must be {"frames": [...]}')
        frames = _frames(req.get("frames", []), "frames")
        for conn in targets:
            conn.post(("send", frames))
        return json_response({"sent_to": len(targets)})
    # /drop
    if set(req) - {"close_code", "close_reason", "mode"}:
        raise ValidationError('drop body must be {"close_code"?: N, "close_reason"?: "..", "mode"?: "fin"|"reset"}')
    code = _close_code(req["close_code"], "close_code") if req.get("close_code") is not None else None
    mode = req.get("mode", "fin")
    if mode not in ("fin", "reset"):
        raise ValidationError('mode must be "fin" or "reset"')
    reason = req.get("close_reason", "")
    if not isinstance(reason, str):
        raise ValidationError("close_reason must be a string")
    for conn in targets:
        conn.post(("drop", code, reason, mode))
    return json_response({"dropped": len(targets)})


def _handle_flood(st: SessionWS, method: str, body: bytes) -> Response:
    if method == "POST":
        flood = parse_flood(_json_body(body))
        with st.lock:
            st.flood = flood
            targets = list(st.open.values())
        for conn in targets:
            conn.post(("wake",))
        return json_response({"ok": True, "count": flood.count})
    if method == "GET":
        return json_response({"flood": st.flood.report() if st.flood is not None else None})
    if method == "DELETE":
        st.flood = None
        return json_response({"ok": True})
    return error(405, "method not allowed")


# ------------------------------------------------------------------------------------------------
# the channel
# ------------------------------------------------------------------------------------------------
def channel_session_id(path: str) -> str | None:
    if path in (CHANNEL_PATH, CHANNEL_PATH + "/"):
        return "default"
    m = _SESSION_WS_RE.match(path)
    return m.group(1) if m else None


def handler_class(base):
    """`base` (the REST handler) plus the WebSocket channel and its control paths."""

    class WSHandler(base):
        def _dispatch(self):
            path = unquote(urlsplit(self.path).path)
            if is_control_path(path):
                try:
                    body = self._read_body()
                except Exception as e:  # handler.BadRequest
                    self.close_connection = True
                    self._send(error(400, str(e)), gzip_ok=False)
                    return
                resp = self._safely(lambda: handle_control(self.server, self.command.upper(), path, body))
                self._send(resp, gzip_ok=False)
                return
            sid = channel_session_id(path)
            if sid is None:
                super()._dispatch()
                return
            self.close_connection = True
            upgrade = (self.headers.get("Upgrade") or "").lower() == "websocket"
            if self.command.upper() != "GET" or not upgrade:
                self._send(error(426, "this is a WebSocket endpoint"), gzip_ok=False)
                return
            session = self.server.sessions.get(sid)
            if session is None:
                self._send(error(404, f"no such session {sid!r}"), gzip_ok=False)
                return
            if not available():
                self._send(error(501, "the websockets package is not installed (use the project venv)"),
                           gzip_ok=False)
                return
            try:
                Connection(self, session).run()
            except Exception:  # a bug in the fake: keep serving the others
                if self.server.verbose:
                    import traceback
                    traceback.print_exc()

    return WSHandler


def _assets_of(event) -> list[str]:
    if not isinstance(event, dict):
        return []
    out = []
    if isinstance(event.get("asset_id"), str):
        out.append(event["asset_id"])
    changes = event.get("price_changes")
    if isinstance(changes, list):
        out.extend(c["asset_id"] for c in changes if isinstance(c, dict) and isinstance(c.get("asset_id"), str))
    return out


class Connection:
    """One accepted WebSocket connection, run on its handler thread until it ends."""

    def __init__(self, handler, session):
        self.handler = handler
        self.server = handler.server
        self.session = session
        self.st = state_for(session)
        self.sock = handler.connection
        self.conn_id = handler.conn_id
        self.index, self.script = self.st.next_script()
        self.subscribed: list[str] = []
        self.inbox: list = []
        self.inbox_lock = threading.Lock()
        self.wake_r, self.wake_w = socket.socketpair()
        self.proto = None
        self.schedule: list = []          # heap of (due, seq, action)
        self.seq = itertools.count()
        self.partial: list | None = None  # a fragmented client message being reassembled
        self.partial_op = None
        self.done = False
        self.flood: Flood | None = None   # the flood this connection last pumped, and its count here
        self.flood_here = 0
        self.flood_eof_by: float | None = None   # set once a flood drop half-closed the socket
        self.strict = self.script.strict if self.script.strict is not None else getattr(self.server, "strict_ws", False)
        self.initial_seen = False          # strict: the first message must be the subscription

    # --- called from control threads ------------------------------------------------------------
    def post(self, action) -> None:
        with self.inbox_lock:
            self.inbox.append(action)
        try:
            self.wake_w.send(b"x")
        except OSError:
            pass

    # --- connection thread ------------------------------------------------------------------------
    def run(self):
        try:
            self._run()
        finally:
            with self.st.lock:
                self.st.open.pop(self.conn_id, None)
            for s in (self.wake_r, self.wake_w):
                try:
                    s.close()
                except OSError:
                    pass

    def _headers(self) -> dict:
        out: dict[str, str] = {}
        for k, v in self.handler.headers.items():
            k = k.lower()
            out[k] = f"{out[k]}, {v}" if k in out else v
        return out

    def _open_others(self) -> int:
        """Other connections of this session whose socket the peer has not closed (deterministic:
        the kernel's TCP state, see peer_open)."""
        with self.st.lock:
            others = [c for cid, c in self.st.open.items() if cid != self.conn_id]
        return sum(1 for c in others if peer_open(c.sock))

    def _run(self):
        from websockets.http11 import Request
        from websockets.server import ServerProtocol

        headers = self._headers()
        script = self.script
        log(self.session, self.conn_id, "connect", headers=headers, index=self.index,
            open_before=self._open_others(), raw_path=self.handler.path)

        if script.hang_handshake:
            self._hang()
            return

        # The REST handler has already read the request head: replay it into the sans-I/O protocol,
        # whose parser expects to see the handshake request before any frame.
        self.proto = ServerProtocol(max_size=None)
        head = self.handler.requestline + "\r\n" + "".join(
            f"{k}: {v}\r\n" for k, v in self.handler.headers.items()) + "\r\n"
        self.proto.receive_data(head.encode("latin-1"))
        requests = [e for e in self.proto.events_received() if isinstance(e, Request)]
        if not requests:
            self._close_socket("fin")
            return
        request = requests[0]
        if script.handshake_limit is not None and self.st.over_handshake_limit(script.handshake_limit):
            response = self.proto.reject(429, "too many handshakes\n")
            self.proto.send_response(response)
            self._flush()
            log(self.session, self.conn_id, "rate_limited")
            log(self.session, self.conn_id, "disconnect")
            return
        if script.reject_status is not None:
            response = self.proto.reject(script.reject_status, f"rejected by the test script ({script.reject_status})\n")
            self.proto.send_response(response)
            self._flush()
            log(self.session, self.conn_id, "disconnect")  # the answer was the whole connection
            return
        response = self.proto.accept(request)
        self.proto.send_response(response)
        self._flush()
        if response.status_code != 101:
            return
        with self.st.lock:
            self.st.open[self.conn_id] = self

        start = time.monotonic()
        for every, first, frames in script.periodic:
            self._at(start + first / 1000.0, ("periodic", every, frames))
        if script.drop_after_ms is not None:
            self._at(start + script.drop_after_ms / 1000.0,
                     ("scripted_drop", script.close_code, script.close_reason, script.drop_mode))
        self._send_frames(script.on_connect)

        stopping = self.server.stopping
        close_deadline = None
        while not self.done and not stopping.is_set():
            now = time.monotonic()
            timeout = 0.25
            if self.schedule:
                timeout = max(0.0, min(timeout, self.schedule[0][0] - now))
            if close_deadline is not None:
                timeout = max(0.0, min(timeout, close_deadline - now))
            if self._flood_due():
                timeout = 0.0
            try:
                readable, _, _ = select.select([self.sock, self.wake_r], [], [], timeout)
            except (OSError, ValueError):
                break
            if self.wake_r in readable:
                try:
                    self.wake_r.recv(4096)
                except OSError:
                    pass
                with self.inbox_lock:
                    actions, self.inbox = self.inbox, []
                for action in actions:
                    self._do(action)
            if self.sock in readable and not self.done:
                try:
                    data = self.sock.recv(65536)
                except (BlockingIOError, InterruptedError):
                    data = None
                except OSError:
                    break
                if data == b"":
                    self.proto.receive_eof()
                    self._flush()
                    break
                if data:
                    self.proto.receive_data(data)
                    for event in self.proto.events_received():
                        self._on_frame(event)
                    self._flush()
            now = time.monotonic()
            while self.schedule and self.schedule[0][0] <= now and not self.done:
                _due, _seq, action = heapq.heappop(self.schedule)
                self._do(action)
            if self._flood_due():
                self._pump_flood()
            if self.flood_eof_by is not None and time.monotonic() >= self.flood_eof_by:
                break
            state = self.proto.state.name
            if state == "CLOSED":
                break
            if state == "CLOSING" and close_deadline is None:
                close_deadline = time.monotonic() + 2.0   # the peer has that long to answer our close
            if close_deadline is not None and time.monotonic() >= close_deadline:
                break
        if not self.done:
            self._close_socket("fin")
        log(self.session, self.conn_id, "disconnect")

    def _flood_due(self) -> bool:
        flood = self.st.flood
        return (flood is not None and not self.done and self.flood_eof_by is None and bool(self.subscribed)
                and flood.sent < flood.count)

    def _pump_flood(self) -> None:
        """Sends the next chunk of the session's flood as raw frames (encoded once, no filters);
        after `drop_every` frames on this connection, drops it."""
        flood = self.st.flood
        if flood is None:   # stopped by DELETE since _flood_due()
            return
        if flood is not self.flood:
            self.flood, self.flood_here = flood, 0
        wanted = FLOOD_CHUNK
        if flood.drop_every is not None:
            wanted = min(wanted, flood.drop_every - self.flood_here)
        first, n = flood.take(wanted)
        if n:
            frames, k = flood.frames, len(flood.frames)
            self._flush()  # anything the protocol queued goes first: frames never interleave
            try:
                self.sock.sendall(b"".join(frames[(first + i) % k] for i in range(n)))
            except OSError:
                self.done = True
                return
            self.flood_here += n
        if flood.drop_every is not None and self.flood_here >= flood.drop_every:
            with flood.lock:
                flood.drops += 1
            if flood.drop_mode == "reset":
                self._close_socket("reset")
                return
            # "fin": half-close, so every frame already written still arrives before the EOF; then
            # wait (reading) for the client to close its side, at most 2 s.
            try:
                self.sock.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            self.flood_eof_by = time.monotonic() + 2.0

    def _hang(self):
        stopping = self.server.stopping
        while not stopping.is_set():
            try:
                readable, _, _ = select.select([self.sock], [], [], 0.1)
                if readable and not self.sock.recv(1, socket.MSG_PEEK):
                    break
                if readable:
                    self.sock.recv(65536)
            except (OSError, ValueError):
                break
        self._close_socket("fin")

    def _at(self, due: float, action) -> None:
        heapq.heappush(self.schedule, (due, next(self.seq), action))

    def _flush(self) -> None:
        if self.proto is None or self.done:
            return
        try:
            for chunk in self.proto.data_to_send():
                if chunk:
                    self.sock.sendall(chunk)
                else:
                    # The protocol's "close the TCP connection now" (after the closing handshake):
                    # half-close, so the peer sees EOF and closes too.
                    self.sock.shutdown(socket.SHUT_WR)
        except OSError:
            self.done = True

    def _close_socket(self, mode: str) -> None:
        self.done = True
        try:
            if mode == "reset":
                self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            else:
                self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        try:
            self.sock.close()
        except OSError:
            pass

    # --- actions ------------------------------------------------------------------------------------
    def _do(self, action) -> None:
        kind = action[0]
        if kind == "send":
            self._send_frames(action[1])
        elif kind == "periodic":
            _, every, frames = action
            self._send_frames(frames)
            self._at(time.monotonic() + every / 1000.0, action)
        elif kind == "frame":
            self._emit(action[1])
        elif kind == "wake":
            pass  # a flood was posted: the loop pumps it
        elif kind == "scripted_drop":
            # drop_after_ms; with drop_only_if_subscribed, only on the socket then holding that asset
            # (which of a client's sockets shakes hands first is the client's business, not the test's)
            asset = self.script.drop_only_if_subscribed
            if asset is None or asset in self.subscribed:
                self._do(("drop",) + tuple(action[1:]))
        elif kind == "drop":
            _, code, reason, mode = action
            if code is None:
                self._close_socket(mode)
            else:
                try:
                    self.proto.send_close(code, reason)
                except Exception:
                    self._close_socket("fin")
                    return
                self._flush()

    # --- receiving ----------------------------------------------------------------------------------
    def _on_frame(self, frame) -> None:
        op = frame.opcode.name  # TEXT, BINARY, CONT, CLOSE, PING, PONG
        if op in ("TEXT", "BINARY"):
            if not frame.fin:
                self.partial, self.partial_op = [bytes(frame.data)], op
                return
            self._on_message(op, bytes(frame.data))
        elif op == "CONT" and self.partial is not None:
            self.partial.append(bytes(frame.data))
            if frame.fin:
                data, op2 = b"".join(self.partial), self.partial_op
                self.partial = self.partial_op = None
                self._on_message(op2, data)
        elif op == "CLOSE":
            code = getattr(self.proto, "close_rcvd", None)
            log(self.session, self.conn_id, "close", body=str(code.code) if code is not None else "")

    def _on_message(self, op: str, data: bytes) -> None:
        if op == "BINARY":
            log(self.session, self.conn_id, "binary", body=data.hex())
            return
        text = data.decode("utf-8", "replace")
        log(self.session, self.conn_id, "text", body=text)
        if self.strict and not self.initial_seen and not self._is_initial(data):
            # The real server: anything but the subscription as the first frame (a PING included).
            self._violation("first frame is not the subscription", 1008, "invalid subscription payload")
            return
        if text == "PING":
            if self.script.pong:
                self._emit_bytes("TEXT", b"PONG", None)
            return
        try:
            msg = jsonraw.loads(data)
        except (ValueError, UnicodeDecodeError):
            return
        if not isinstance(msg, dict) or not isinstance(msg.get("assets_ids"), list):
            return
        ids = [a for a in msg["assets_ids"] if isinstance(a, str)]
        operation = msg.get("operation")
        if self.strict and not self._strict_checks(msg, ids, operation):
            return
        if operation == "unsubscribe":
            self.subscribed = [a for a in self.subscribed if a not in ids]
            return
        if operation == "subscribe":
            added = [a for a in ids if a not in self.subscribed]
            self.subscribed += added
        elif msg.get("type") == "market":
            added = list(dict.fromkeys(ids))
            self.subscribed = list(added)
        else:
            return
        if self.script.dump and msg.get("initial_dump", True) is not False and added:
            self._emit(Frame("books", added))
        for asset in added:
            self._send_frames(self.script.per_asset.get(asset, []))
        self._send_frames(self.script.on_subscribe)
        if self.script.drop_after_subscribe:   # the reconnect storm: gone right after the answer
            self._do(("drop", self.script.close_code, self.script.close_reason, self.script.drop_mode))

    # --- strict wire (docs/wire/market-channel.md, "Protocol rules") --------------------------------
    @staticmethod
    def _is_initial(data: bytes) -> bool:
        try:
            msg = jsonraw.loads(data)
        except (ValueError, UnicodeDecodeError):
            return False
        return (isinstance(msg, dict) and msg.get("type") == "market" and "operation" not in msg
                and isinstance(msg.get("assets_ids"), list))

    def _violation(self, what: str, code: int | None, reason: str, after_ms: int = 0) -> None:
        """Logs a broken rule; closes with `code` (after `after_ms`), or only logs when code is None."""
        log(self.session, self.conn_id, "violation", body=what)
        if code is None:
            return
        action = ("drop", code, reason, "fin")
        if after_ms:
            self._at(time.monotonic() + after_ms / 1000.0, action)
        else:
            self._do(action)

    def _strict_checks(self, msg: dict, ids: list[str], operation) -> bool:
        """The rules of a subscription message; False when the message was refused."""
        script = self.script
        if not self.initial_seen:
            self.initial_seen = True   # _is_initial vouched for it
        elif operation not in ("subscribe", "unsubscribe"):
            self._violation("initial subscription re-sent on an open socket", None, "")
            self._emit_bytes("TEXT", b"INVALID OPERATION", None)
            return False
        if len(ids) > script.max_assets_per_frame:
            self._violation(f"{len(ids)} assets in one frame (limit {script.max_assets_per_frame})",
                            1008, "too many assets in one frame", script.frame_limit_close_ms)
            return False
        if operation == "unsubscribe":
            return True
        duplicate = len(set(ids)) != len(ids) or (operation == "subscribe" and any(a in self.subscribed for a in ids))
        if duplicate:
            self._violation("duplicate asset in a subscription", None, "")
            self._emit_bytes("TEXT", b"INVALID OPERATION", None)
            return False
        total = len(ids) + (len(self.subscribed) if operation == "subscribe" else 0)
        if total > script.max_assets_per_connection:
            self._violation(f"{total} assets on one connection (limit {script.max_assets_per_connection})",
                            1008, "too many assets on one connection")
            return False
        return True

    # --- sending ------------------------------------------------------------------------------------
    def _send_frames(self, frames: list[Frame]) -> None:
        now = time.monotonic()
        for f in frames:
            if f.delay_ms:
                self._at(now + f.delay_ms / 1000.0, ("frame", f))
            else:
                self._emit(f)

    def _keep_event(self, event, tag: str | None):
        """The event as it may be sent on this connection (filtered price_changes), or None."""
        silence = self.script.silence_assets
        subscribed = self.subscribed

        def ok(asset: str) -> bool:
            return asset not in silence and (not self.script.only_subscribed or asset in subscribed)

        if tag is not None:
            return event if ok(tag) else None
        if not isinstance(event, dict):
            return event
        changes = event.get("price_changes")
        if isinstance(changes, list) and "asset_id" not in event:
            kept = [c for c in changes if not (isinstance(c, dict) and isinstance(c.get("asset_id"), str))
                    or ok(c["asset_id"])]
            if not kept and changes:
                return None
            return event if len(kept) == len(changes) else {**event, "price_changes": kept}
        assets = _assets_of(event)
        if assets and not all(ok(a) for a in assets):
            return None
        return event

    def _emit(self, f: Frame) -> None:
        if self.done or self.proto is None:
            return
        if f.kind == "json" or f.kind == "books":
            if f.kind == "books":
                data, _config = self.session.snapshot()
                ids = list(self.subscribed) if f.value == "subscribed" else f.value
                books = data.get("books", {})
                value = [{"event_type": "book", **books[a]} for a in ids if isinstance(books.get(a), dict)]
                if not value:
                    return
            else:
                value = f.value
            if isinstance(value, list):
                kept = [e for e in (self._keep_event(x, f.asset) for x in value) if e is not None]
                if value and not kept:
                    return
                value = kept
            else:
                value = self._keep_event(value, f.asset)
                if value is None:
                    return
            self._emit_bytes("TEXT", jsonraw.dumps_bytes(value), f.fragment, f.cut)
            return
        if f.asset is not None and self._keep_event({}, f.asset) is None:
            return
        if f.kind == "text":
            self._emit_bytes("TEXT", f.value.encode("utf-8"), f.fragment, f.cut)
        elif f.kind == "text_hex":
            self._emit_bytes("TEXT", f.value, f.fragment, f.cut)
        elif f.kind == "binary_hex":
            self._emit_bytes("BINARY", f.value, f.fragment, f.cut)
        elif f.kind == "oversize":
            pad = max(0, f.value - len('[{"pad":""}]'))
            self._emit_bytes("TEXT", b'[{"pad":"' + b"x" * pad + b'"}]', f.fragment, f.cut)

    def _emit_bytes(self, op: str, payload: bytes, fragment: int | None, cut: int | None = None) -> None:
        if self.done:
            return
        try:
            if not fragment or len(payload) <= fragment:
                (self.proto.send_text if op == "TEXT" else self.proto.send_binary)(payload)
            else:
                pieces = [payload[i:i + fragment] for i in range(0, len(payload), fragment)]
                (self.proto.send_text if op == "TEXT" else self.proto.send_binary)(pieces[0], fin=False)
                for i, piece in enumerate(pieces[1:], start=2):
                    self.proto.send_continuation(piece, fin=i == len(pieces))
        except Exception:  # not OPEN any more (closing): drop the frame
            return
        if cut is not None:
            self._send_cut(cut)
            return
        self._flush()

    def _send_cut(self, cut: int) -> None:
        """A frame cut mid-way: the first `cut` bytes of its wire encoding (what the protocol has
        just queued: every earlier frame was flushed at once), then a TCP close, no close frame."""
        data = b"".join(chunk for chunk in self.proto.data_to_send() if chunk)
        try:
            self.sock.sendall(data[:cut])
        except OSError:
            pass
        self._close_socket("fin")
