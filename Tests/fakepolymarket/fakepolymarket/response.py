"""The value every route returns; the HTTP handler turns it into bytes on the wire."""

from __future__ import annotations

from dataclasses import dataclass, field

from . import jsonraw

JSON_CT = "application/json"


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str | None = JSON_CT
    # Extra headers, applied after the defaults (same name = replace).  Order preserved.
    headers: dict[str, str] = field(default_factory=dict)
    # The JSON value behind `body`, when there is one (the oversize fault repeats its elements).
    value: object = None
    has_value: bool = False


def json_response(value, status: int = 200, headers: dict | None = None) -> Response:
    return Response(status=status, body=jsonraw.dumps_bytes(value), content_type=JSON_CT,
                    headers=dict(headers or {}), value=value, has_value=True)


def error(status: int, message: str, **extra) -> Response:
    body = {"error": message}
    body.update(extra)
    return json_response(body, status)


def not_found(path: str) -> Response:
    return error(404, "not found", path=path)
