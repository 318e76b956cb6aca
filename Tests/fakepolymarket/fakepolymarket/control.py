"""The /_control/... protocol (see README.md for the exact JSON)."""

from __future__ import annotations

import re
import threading

from . import faults, jsonraw, presets
from .response import Response, error, json_response, not_found
from .sessions import ValidationError

_SESSION_RE = re.compile(r"^/_control/sessions/([^/]+)(/[a-z_]+)?/?$")


def _body_json(body: bytes, *, optional: bool = False):
    if not body.strip():
        if optional:
            return {}
        raise ValidationError("a JSON body is required")
    try:
        return jsonraw.loads(body)
    except (ValueError, UnicodeDecodeError) as e:
        raise ValidationError(f"invalid JSON body: {e}")


def _path_filter(pattern: str, path: str) -> bool:
    if pattern.endswith("*"):
        return path.startswith(pattern[:-1])
    return path == pattern


def handle(server, method: str, path: str, query: dict, body: bytes) -> Response:
    try:
        return _handle(server, method, path, query, body)
    except ValidationError as e:
        return error(400, str(e))


def _seed(session, body: dict) -> dict:
    if not isinstance(body, dict):
        raise ValidationError("seed body must be an object")
    extra = set(body) - {"preset", "now"}
    if extra:
        raise ValidationError(f"unknown key(s) {sorted(extra)} in seed body")
    name = body.get("preset", "basic")
    if name not in presets.PRESETS:
        raise ValidationError(f"unknown preset {name!r}; known: {sorted(presets.PRESETS)}")
    now = body.get("now")
    if now is not None:
        if isinstance(now, bool) or not isinstance(now, (int, float, jsonraw.RawNumber)):
            raise ValidationError("now must be unix seconds")
        now = int(float(now))
    data, summary = presets.PRESETS[name](now)
    summary["counts"] = session.replace_data(data)
    return summary


def _handle(server, method: str, path: str, query: dict, body: bytes) -> Response:
    store = server.sessions
    if path in ("/_control/health", "/_control/health/"):
        return json_response({"ok": True, "sessions": len(store.ids())})

    if path == "/_control/shutdown" and method == "POST":
        # Answer first, then stop (shutdown() must not run on a request thread that it waits for).
        threading.Timer(0.05, server.request_stop).start()
        return json_response({"ok": True})

    if path in ("/_control/sessions", "/_control/sessions/"):
        if method == "GET":
            return json_response({"sessions": store.ids()})
        if method == "POST":
            req = _body_json(body, optional=True)
            if not isinstance(req, dict) or set(req) - {"id", "preset", "now"}:
                raise ValidationError('create body must be {} or {"id"?, "preset"?, "now"?}')
            s = store.create(req.get("id"))
            out = {"id": s.id}
            if "preset" in req:
                try:
                    out["seed"] = _seed(s, {k: req[k] for k in ("preset", "now") if k in req})
                except ValidationError:
                    store.delete(s.id)
                    raise
            return json_response(out)
        return error(405, "method not allowed")

    m = _SESSION_RE.match(path)
    if not m:
        return not_found(path)
    sid, sub = m.group(1), (m.group(2) or "")
    session = store.get(sid)
    if session is None:
        return error(404, f"no such session {sid!r}")

    if sub == "":
        if method == "DELETE":
            if sid == "default":
                store.reset("default")   # the default session always exists: DELETE empties it
            else:
                store.delete(sid)
            return json_response({"ok": True})
        if method == "GET":
            return json_response({"id": sid, "counts": session.counts(), "faults": len(session.faults),
                                  "requests": len(session.requests)})
        return error(405, "method not allowed")

    if sub == "/state":
        if method == "POST":
            return json_response({"ok": True, "counts": session.set_state(_body_json(body))})
        if method == "GET":
            return json_response(session.dump())
        return error(405, "method not allowed")

    if sub == "/append" and method == "POST":
        return json_response({"ok": True, "counts": session.append_state(_body_json(body))})

    if sub == "/seed" and method == "POST":
        return json_response(_seed(session, _body_json(body, optional=True)))

    if sub == "/config":
        if method == "POST":
            return json_response(session.set_config(_body_json(body)))
        if method == "GET":
            return json_response(session.snapshot()[1])
        return error(405, "method not allowed")

    if sub == "/faults":
        if method == "POST":
            rules = faults.parse_rules(_body_json(body))
            session.add_faults(rules)
            return json_response({"added": len(rules), "rules": session.faults_json()})
        if method == "GET":
            return json_response({"rules": session.faults_json()})
        if method == "DELETE":
            session.clear_faults()
            return json_response({"ok": True})
        return error(405, "method not allowed")

    if sub == "/requests":
        if method == "GET":
            reqs = session.requests_copy()
            pat = query.get("path")
            if pat:
                reqs = [r for r in reqs if _path_filter(pat[-1], r["path"])]
            return json_response(reqs)
        if method == "DELETE":
            session.clear_requests()
            return json_response({"ok": True})
        return error(405, "method not allowed")

    return not_found(path)
