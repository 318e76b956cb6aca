-- trades_schema.sql — a plausible stand-in for pmingest's trades table, used by the raw-SQLite
-- baselines (sqlite_raw.c, python_executemany.py). Not the library's schema (that lives in the
-- Swift core); close enough that "library vs raw SQLite" compares like with like: a text primary
-- key (the 64-hex dedup id), integer micro-unit prices and sizes, and a (token, time) index for
-- range queries.
--
-- Contract with the programs: every statement without parameters is executed once on a fresh
-- database (DDL); the one statement with parameters is the upsert, prepared once and bound
-- positionally in this order:
--   1 id, 2 token_id, 3 condition_id, 4 side, 5 price_micros, 6 size_micros, 7 timestamp_ms,
--   8 transaction_hash, 9 proxy_wallet, 10 outcome
CREATE TABLE IF NOT EXISTS trades (
    id               TEXT PRIMARY KEY NOT NULL,
    token_id         TEXT NOT NULL,
    condition_id     TEXT,
    side             TEXT NOT NULL CHECK (side IN ('BUY', 'SELL')),
    price_micros     INTEGER NOT NULL CHECK (price_micros >= 0),
    size_micros      INTEGER NOT NULL CHECK (size_micros >= 0),
    timestamp_ms     INTEGER NOT NULL,
    transaction_hash TEXT,
    proxy_wallet     TEXT,
    outcome          TEXT
);
CREATE INDEX IF NOT EXISTS trades_token_time ON trades (token_id, timestamp_ms);

INSERT INTO trades (id, token_id, condition_id, side, price_micros, size_micros, timestamp_ms,
                    transaction_hash, proxy_wallet, outcome)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET
    token_id = excluded.token_id,
    condition_id = excluded.condition_id,
    side = excluded.side,
    price_micros = excluded.price_micros,
    size_micros = excluded.size_micros,
    timestamp_ms = excluded.timestamp_ms,
    transaction_hash = excluded.transaction_hash,
    proxy_wallet = excluded.proxy_wallet,
    outcome = excluded.outcome;
