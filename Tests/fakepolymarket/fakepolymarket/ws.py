"""PLACEHOLDER: the fake WebSocket market channel (wss://.../ws/market, polymarket-api.md §2).

Not built yet.  It will need the third-party `websockets` package (installed into the project's
venv later); the REST part of the fake stays standard-library only, so nothing here is imported by
the REST server unless a WebSocket port is asked for.

Intended design (so the REST side already has the hooks):
  * started by server.py with a future `--ws` flag, on its own port or on the same port via an
    Upgrade hand-off, on an asyncio loop in a background thread;
  * the URL carries the session like the REST routes: ws://127.0.0.1:PORT/s/<id>/ws/market, and
    a WebSocket script is stored per Session (a new "ws" key next to books/trades, set through the
    same /_control/sessions/<id>/... protocol): initial array dumps of `book` events built from the
    session's books, scripted events (price_change, last_trade_price, tick_size_change,
    best_bid_ask, new_market, market_resolved, unknown types), PING -> PONG, "silent while PONGs
    continue", abrupt drops and invalid frames;
  * received frames (subscribe messages, PINGs) are recorded in the session's request log with
    method "WS".
"""


def available() -> bool:
    try:
        import websockets  # noqa: F401
    except ImportError:
        return False
    return True
