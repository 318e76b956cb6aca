"""Per-test isolated state.

A Session holds: the data it serves (markets, books, trades, market_by_token, clob_markets, events),
its config, its fault rules and the log of API requests it received.  Data values are replaced,
never mutated in place (copy-on-write), so a route can take references under the lock and then
read them without holding it.
"""

from __future__ import annotations

import copy
import re
import secrets
import threading
import time

DATA_KEYS = ("markets", "books", "trades", "market_by_token", "clob_markets", "events")
# Data of the v2 routes (data_v2.py): in counts only once non-empty, so older callers see what they did.
V2_DATA_KEYS = ("v2_trades", "prices_history")
_EMPTY = {"markets": [], "books": {}, "trades": [], "market_by_token": {}, "clob_markets": {}, "events": [],
          "v2_trades": [], "prices_history": {}}

DEFAULT_CONFIG = {
    # Gzip API response bodies when the request says Accept-Encoding: gzip.
    "gzip": True,
    # Gamma GET /markets: limit used when none is given, and the silent clamp (real service: clamps).
    "gamma_limit_default": 500,
    "gamma_limit_max": 500,
    # Gamma: offset ceiling (null = none; the real ceiling is UNCONFIRMED). Beyond it -> 422.
    "gamma_offset_max": None,
    # Gamma: most ids accepted in condition_ids (more -> 422).
    "gamma_condition_ids_max": 100,
    # Gamma GET /markets listing: every page is `limit` freshly made active markets whose ids never
    # repeat, whatever the offset, and no page is ever empty (a hostile or broken server).
    "gamma_endless": False,
    # Gamma keyset paging (/markets/keyset, /events/keyset; keyset.py): false = both answer 404
    # (a server without them); silent page clamps; how the final page says it is the last
    # ("missing" next_cursor, "null" or "empty"); every page naming the same next cursor (a cycle).
    "gamma_keyset": True,
    "gamma_keyset_markets_max": 100,
    "gamma_keyset_events_max": 100,
    "gamma_keyset_end": "missing",
    "gamma_keyset_cursor_repeat": False,
    # Data API GET /trades: default limit, limit ceiling (beyond -> 400, or a silent clamp with
    # trades_limit_clamp), offset ceiling (beyond -> 400). The real caps since 2025-08: 500 / 1000.
    "trades_limit_default": 100,
    "trades_limit_max": 500,
    "trades_offset_max": 1000,
    "trades_limit_clamp": False,
    # Data API v2 (/v2/trades, /v2/prices-history) and CLOB /batch-prices-history limits.
    "v2_trades_limit_default": 100,
    "v2_trades_limit_max": 1000,
    "prices_history_limit_max": 10000,
    "prices_history_window_max_s": 15 * 86400,
    "batch_prices_markets_max": 20,
    # CLOB POST /prices, /midpoints, /last-trades-prices: the most rows one request may hold.
    "clob_batch_tokens_max": 100,
    # Data API: serve trades newest first (sorted by timestamp, stable).  false = stored order.
    "trades_sort": True,
}

SESSION_ID_RE = re.compile(r"[A-Za-z0-9_.-]{1,64}\Z")


class ValidationError(ValueError):
    """Bad control input: answered with 400 and the message."""


def _check_config(patch) -> dict:
    if not isinstance(patch, dict):
        raise ValidationError("config must be an object")
    out = {}
    for k, v in patch.items():
        if k not in DEFAULT_CONFIG:
            raise ValidationError(f"unknown config key {k!r}; known: {sorted(DEFAULT_CONFIG)}")
        if k in ("gzip", "trades_sort", "gamma_endless", "gamma_keyset", "gamma_keyset_cursor_repeat",
                 "trades_limit_clamp"):
            if not isinstance(v, bool):
                raise ValidationError(f"config {k} must be a boolean")
        elif k == "gamma_keyset_end":
            if v not in ("missing", "null", "empty"):
                raise ValidationError(f"config {k} must be \"missing\", \"null\" or \"empty\"")
        elif k == "gamma_offset_max":
            if v is not None and (not isinstance(v, int) or isinstance(v, bool) or v < 0):
                raise ValidationError(f"config {k} must be a non-negative integer or null")
        else:
            if not isinstance(v, int) or isinstance(v, bool) or v < 0:
                raise ValidationError(f"config {k} must be a non-negative integer")
        out[k] = v
    return out


def check_data(patch: dict, *, allow_config: bool = True) -> dict:
    """Validate a state patch; returns {key: value} for the known keys."""
    if not isinstance(patch, dict):
        raise ValidationError("state body must be a JSON object")
    out = {}
    for k, v in patch.items():
        if k == "config" and allow_config:
            out[k] = _check_config(v)
        elif k in ("markets", "trades", "events"):
            if not isinstance(v, list) or not all(isinstance(x, dict) for x in v):
                raise ValidationError(f"{k} must be an array of objects")
            out[k] = v
        elif k == "books":
            if not isinstance(v, dict) or not all(x is None or isinstance(x, dict) for x in v.values()):
                raise ValidationError("books must be an object {token_id: OrderBookSummary object or null}")
            out[k] = v
        elif k == "v2_trades":
            if not isinstance(v, list) or not all(isinstance(x, dict) for x in v):
                raise ValidationError("v2_trades must be an array of objects")
            out[k] = v
        elif k == "prices_history":
            if not isinstance(v, dict) or not all(isinstance(x, list) and all(isinstance(p, dict) for p in x)
                                                  for x in v.values()):
                raise ValidationError("prices_history must be an object {token_id: [point objects]}")
            out[k] = v
        elif k == "market_by_token":
            if not isinstance(v, dict) or not all(isinstance(x, str) for x in v.values()):
                raise ValidationError("market_by_token must be an object {token_id: condition_id}")
            out[k] = v
        elif k == "clob_markets":
            if not isinstance(v, dict) or not all(isinstance(x, dict) for x in v.values()):
                raise ValidationError("clob_markets must be an object {condition_id: CLOB market object}")
            out[k] = v
        else:
            known = list(DATA_KEYS + V2_DATA_KEYS) + (["config"] if allow_config else [])
            raise ValidationError(f"unknown state key {k!r}; known: {known}")
    return out


class Session:
    def __init__(self, sid: str):
        self.id = sid
        self.lock = threading.Lock()
        self.created = time.time()
        self.data = {k: type(v)() for k, v in _EMPTY.items()}
        self.config = dict(DEFAULT_CONFIG)
        self.faults: list = []      # list[faults.Rule]
        self.requests: list = []    # list[dict]
        self.endless_made = 0       # markets made so far by config gamma_endless

    # --- data -------------------------------------------------------------------------------
    def snapshot(self) -> tuple[dict, dict]:
        """(data, config) references, safe to read without the lock (copy-on-write)."""
        with self.lock:
            return dict(self.data), dict(self.config)

    def set_state(self, patch: dict) -> dict:
        checked = check_data(patch)
        with self.lock:
            for k, v in checked.items():
                if k == "config":
                    self.config = {**self.config, **v}
                else:
                    self.data[k] = v
            return self.counts()

    def append_state(self, patch: dict) -> dict:
        checked = check_data(patch, allow_config=False)
        with self.lock:
            for k, v in checked.items():
                cur = self.data[k]
                self.data[k] = cur + v if isinstance(cur, list) else {**cur, **v}
            return self.counts()

    def replace_data(self, data: dict) -> dict:
        checked = check_data(data, allow_config=False)
        with self.lock:
            self.data = {k: type(v)() for k, v in _EMPTY.items()}
            self.data.update(checked)
            return self.counts()

    def set_config(self, patch) -> dict:
        checked = _check_config(patch)
        with self.lock:
            self.config = {**self.config, **checked}
            return dict(self.config)

    def take_endless(self, n: int) -> int:
        """Reserves the next n never-used numbers for gamma_endless markets; returns the first."""
        with self.lock:
            first = self.endless_made
            self.endless_made += n
            return first

    def counts(self) -> dict:
        out = {k: len(self.data[k]) for k in DATA_KEYS}
        out.update({k: len(self.data[k]) for k in V2_DATA_KEYS if self.data.get(k)})
        return out

    def dump(self) -> dict:
        with self.lock:
            out = {k: self.data[k] for k in DATA_KEYS + V2_DATA_KEYS}
            out["config"] = dict(self.config)
            return out

    # --- requests log -----------------------------------------------------------------------
    def requests_copy(self) -> list:
        with self.lock:
            return list(self.requests)

    def clear_requests(self) -> None:
        with self.lock:
            self.requests = []

    # --- faults -----------------------------------------------------------------------------
    def add_faults(self, rules: list) -> None:
        with self.lock:
            self.faults = self.faults + list(rules)

    def clear_faults(self) -> None:
        with self.lock:
            self.faults = []

    def admit(self, entry: dict, method: str, path: str, query: dict):
        """Atomically record an API request and pick its fault rule: returns (index, rule) or (None, None)."""
        with self.lock:
            idx, rule = self._take_fault(method, path, query)
            entry["fault"] = idx
            entry["seq"] = len(self.requests)
            self.requests.append(entry)
            return idx, rule

    def _take_fault(self, method: str, path: str, query: dict):
        """The first matching rule with times left, its counter decremented; or (None, None).  Lock held."""
        for i, rule in enumerate(self.faults):
            if rule.remaining is not None and rule.remaining <= 0:
                continue
            if rule.matches(method, path, query):
                if rule.remaining is not None:
                    rule.remaining -= 1
                rule.hits += 1
                return i, copy.copy(rule)
        return None, None

    def faults_json(self) -> list:
        with self.lock:
            return [r.to_json() for r in self.faults]


class SessionStore:
    def __init__(self):
        self._lock = threading.Lock()
        self._sessions: dict[str, Session] = {}

    def create(self, sid: str | None = None) -> Session:
        with self._lock:
            if sid is None:
                while True:
                    sid = secrets.token_hex(4)
                    if sid not in self._sessions:
                        break
            else:
                if not isinstance(sid, str) or not SESSION_ID_RE.match(sid):
                    raise ValidationError("session id must match [A-Za-z0-9_.-]{1,64}")
                if sid in self._sessions:
                    raise ValidationError(f"session {sid!r} already exists")
            s = Session(sid)
            self._sessions[sid] = s
            return s

    def get(self, sid: str) -> Session | None:
        with self._lock:
            return self._sessions.get(sid)

    def delete(self, sid: str) -> bool:
        with self._lock:
            return self._sessions.pop(sid, None) is not None

    def reset(self, sid: str) -> Session:
        with self._lock:
            s = Session(sid)
            self._sessions[sid] = s
            return s

    def ids(self) -> list[str]:
        with self._lock:
            return list(self._sessions)
