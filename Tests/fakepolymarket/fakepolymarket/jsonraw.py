"""JSON that keeps number literals exactly as they were written.

The Data API serves trade prices as JSON floats, and tests need to store values such as
``0.30000000000000004`` or ``50.0`` or ``1e-7`` and have the fake emit *those exact characters*.
Control bodies are therefore parsed with ``parse_float=RawNumber`` and every response is encoded
by :func:`dumps`, which writes a RawNumber's text verbatim.  Integers round-trip exactly anyway.
"""

from __future__ import annotations

import json
import re
from json.encoder import encode_basestring  # C-accelerated, ensure_ascii=False flavour

_NUMBER_RE = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?\Z")


class RawNumber:
    """A JSON number kept as its literal text."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        if not _NUMBER_RE.match(text):
            raise ValueError(f"not a JSON number literal: {text!r}")
        self.text = text

    def __float__(self) -> float:
        return float(self.text)

    def __eq__(self, other):
        if isinstance(other, RawNumber):
            return self.text == other.text
        if isinstance(other, (int, float)) and not isinstance(other, bool):
            return float(self.text) == other
        return NotImplemented

    def __hash__(self):
        return hash(float(self.text))

    def __repr__(self):
        return f"RawNumber({self.text})"


class RawJSON:
    """An already-encoded JSON fragment, emitted verbatim."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text


def is_number_literal(text: str) -> bool:
    return bool(_NUMBER_RE.match(text))


def loads(data):
    """Parse JSON (str or bytes), keeping float literals as RawNumber."""
    if isinstance(data, (bytes, bytearray)):
        data = data.decode("utf-8")
    return json.loads(data, parse_float=RawNumber)


def as_float(value, default=None):
    """Best-effort numeric value of a stored field (number, RawNumber or numeric string)."""
    if isinstance(value, bool):
        return default
    if isinstance(value, (int, float, RawNumber)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return default
    return default


def dumps(obj) -> str:
    """Compact JSON (separators ',' and ':'), RawNumber/RawJSON written verbatim, UTF-8 text."""
    parts: list[str] = []
    _encode(obj, parts.append)
    return "".join(parts)


def dumps_bytes(obj) -> bytes:
    return dumps(obj).encode("utf-8")


def _encode(o, w):
    if o is None:
        w("null")
    elif o is True:
        w("true")
    elif o is False:
        w("false")
    elif isinstance(o, str):
        w(encode_basestring(o))
    elif isinstance(o, RawNumber) or isinstance(o, RawJSON):
        w(o.text)
    elif isinstance(o, int):
        w(int.__repr__(o))
    elif isinstance(o, float):
        w(json.dumps(o))  # repr, plus NaN/Infinity spelled as Python's json does
    elif isinstance(o, dict):
        w("{")
        first = True
        for k, v in o.items():
            if not first:
                w(",")
            first = False
            if not isinstance(k, str):
                k = str(k)
            w(encode_basestring(k))
            w(":")
            _encode(v, w)
        w("}")
    elif isinstance(o, (list, tuple)):
        w("[")
        first = True
        for v in o:
            if not first:
                w(",")
            first = False
            _encode(v, w)
        w("]")
    else:
        raise TypeError(f"cannot JSON-encode {type(o).__name__}")
