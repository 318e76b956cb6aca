"""fakepolymarket: a scriptable fake of Polymarket's public market-data REST APIs.

Standard library only.  Entry point: ``Tests/fakepolymarket/server.py``.
The control protocol is described in ``Tests/fakepolymarket/README.md``.

Modules:
  jsonraw   JSON parse/encode that keeps number literals verbatim (0.30000000000000004 stays that)
  response  the Response value every route returns
  sessions  Session / SessionStore: isolated per-test state, faults, request log, config
  presets   the "basic" seed (realistic multi-market state)
  gamma     Gamma API routes   (/gamma/...)
  clob      CLOB API routes    (/clob/...)
  data_api  Data API routes    (/data/...)
  faults    fault rules: validation, matching, canned bodies
  control   the /_control/... protocol
  handler   the HTTP/1.1 request handler (keep-alive, gzip, fault execution, recording)
  app       server construction and process lifecycle (signals, --exit-with-parent)
  ws        placeholder for the WebSocket market channel (needs the `websockets` package; not built yet)
"""

__version__ = "1.0"
