-- 0001_init: the first mm journal schema.
--
-- Conventions (DESIGN.md §7, reference/go.md §2.4):
--   * every table is STRICT, so a mistyped value is an error instead of a silent coercion;
--   * decimals are canonical TEXT (Go's decimal.String()), never NUMERIC/DECIMAL, which SQLite stores as REAL;
--   * timestamps are INTEGER unix milliseconds, UTC;
--   * run_id is NULL for rows not produced by an `mm run` (imported fills, adopted orders).
-- The migration runner wraps this file in one IMMEDIATE transaction together with PRAGMA user_version = 1.

-- 0x6D6D6A6C = 'mmjl': marks the file as an mm journal so that Open can refuse other applications' databases.
PRAGMA application_id = 1835887212;

CREATE TABLE runs (
    id          INTEGER PRIMARY KEY,
    account     TEXT    NOT NULL,
    connector   TEXT    NOT NULL,
    market      TEXT    NOT NULL,
    config_hash TEXT    NOT NULL,
    config      TEXT    NOT NULL,
    started_at  INTEGER NOT NULL,
    ended_at    INTEGER,
    exit_reason TEXT,
    exit_code   INTEGER,
    mm_version  TEXT    NOT NULL,
    CHECK (ended_at IS NULL OR ended_at >= started_at)
) STRICT;

CREATE TABLE orders (
    client_order_id   TEXT    PRIMARY KEY,
    run_id            INTEGER REFERENCES runs (id),
    connector         TEXT    NOT NULL,
    market            TEXT    NOT NULL,
    side              TEXT    NOT NULL CHECK (side IN ('buy', 'sell')),
    order_type        TEXT    NOT NULL CHECK (order_type IN ('limit', 'limit_maker', 'market')),
    price             TEXT    NOT NULL,
    amount            TEXT    NOT NULL,
    level             INTEGER,
    is_hanging        INTEGER NOT NULL DEFAULT 0 CHECK (is_hanging IN (0, 1)),
    exchange_order_id TEXT,
    created_at        INTEGER NOT NULL,
    status            TEXT    NOT NULL CHECK (status IN ('open', 'partially_filled', 'filled', 'cancelled',
                                                         'rejected', 'expired', 'unknown')),
    updated_at        INTEGER NOT NULL
) STRICT;
CREATE INDEX orders_run ON orders (run_id);
CREATE INDEX orders_market_created ON orders (market, created_at);

CREATE TABLE order_events (
    id              INTEGER PRIMARY KEY,
    client_order_id TEXT    NOT NULL REFERENCES orders (client_order_id),
    ts              INTEGER NOT NULL,
    event           TEXT    NOT NULL CHECK (event IN ('created', 'filled', 'partially_filled', 'cancelled',
                                                      'rejected', 'expired', 'unknown', 'adopted')),
    detail          TEXT
) STRICT;
CREATE INDEX order_events_order_ts ON order_events (client_order_id, ts);

-- client_order_id deliberately has no foreign key: a fill can arrive for an order mm never journaled
-- (placed by hand, imported from CSV, or placed while mm was not running).
CREATE TABLE fills (
    id                INTEGER PRIMARY KEY,
    run_id            INTEGER REFERENCES runs (id),
    connector         TEXT    NOT NULL,
    market            TEXT    NOT NULL,
    base_asset        TEXT    NOT NULL,
    quote_asset       TEXT    NOT NULL,
    exchange_trade_id TEXT    NOT NULL CHECK (exchange_trade_id <> ''),
    client_order_id   TEXT,
    side              TEXT    NOT NULL CHECK (side IN ('buy', 'sell')),
    price             TEXT    NOT NULL,
    amount            TEXT    NOT NULL,
    fee               TEXT    NOT NULL,
    fee_asset         TEXT    NOT NULL,
    is_maker          INTEGER CHECK (is_maker IN (0, 1)),
    mid               TEXT,
    ts                INTEGER NOT NULL,
    -- DESIGN.md §3: every fill is journaled exactly once.
    UNIQUE (connector, market, exchange_trade_id)
) STRICT;
CREATE INDEX fills_market_ts ON fills (market, ts);
CREATE INDEX fills_run_ts ON fills (run_id, ts);

CREATE TABLE marks (
    id        INTEGER PRIMARY KEY,
    run_id    INTEGER REFERENCES runs (id),
    connector TEXT    NOT NULL,
    market    TEXT    NOT NULL,
    ts        INTEGER NOT NULL,
    mid       TEXT    NOT NULL,
    best_bid  TEXT,
    best_ask  TEXT
) STRICT;
CREATE INDEX marks_market_ts ON marks (market, ts);

CREATE TABLE balances (
    id        INTEGER PRIMARY KEY,
    run_id    INTEGER REFERENCES runs (id),
    connector TEXT    NOT NULL,
    account   TEXT    NOT NULL,
    asset     TEXT    NOT NULL,
    ts        INTEGER NOT NULL,
    total     TEXT    NOT NULL,
    available TEXT,
    kind      TEXT    NOT NULL CHECK (kind IN ('start', 'refresh', 'end', 'import', 'snapshot'))
) STRICT;
CREATE INDEX balances_asset_ts ON balances (asset, ts);

-- DESIGN.md §6: risk guards stay tripped across restarts until cleared, so the latest row per guard decides.
CREATE TABLE risk_events (
    id          INTEGER PRIMARY KEY,
    run_id      INTEGER REFERENCES runs (id),
    account     TEXT    NOT NULL,
    market      TEXT    NOT NULL,
    ts          INTEGER NOT NULL,
    guard       TEXT    NOT NULL CHECK (guard <> ''),
    action      TEXT    NOT NULL CHECK (action IN ('trip', 'clear')),
    value       TEXT,
    limit_value TEXT,
    detail      TEXT    NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX risk_events_account_market_ts ON risk_events (account, market, ts);

CREATE TABLE hedge_fills (
    id         INTEGER PRIMARY KEY,
    run_id     INTEGER REFERENCES runs (id),
    venue      TEXT    NOT NULL,
    instrument TEXT    NOT NULL,
    trade_id   TEXT    NOT NULL CHECK (trade_id <> ''),
    side       TEXT    NOT NULL CHECK (side IN ('buy', 'sell')),
    price      TEXT    NOT NULL,
    amount     TEXT    NOT NULL,
    fee        TEXT    NOT NULL,
    fee_asset  TEXT    NOT NULL,
    ts         INTEGER NOT NULL,
    UNIQUE (venue, instrument, trade_id)
) STRICT;
CREATE INDEX hedge_fills_instrument_ts ON hedge_fills (instrument, ts);

-- Funding payments carry no trade id; (venue, instrument, ts, asset) identifies one payment, so a reconcile that
-- fetches the same payments again stores them once.
CREATE TABLE funding (
    id         INTEGER PRIMARY KEY,
    run_id     INTEGER REFERENCES runs (id),
    venue      TEXT    NOT NULL,
    instrument TEXT    NOT NULL,
    ts         INTEGER NOT NULL,
    amount     TEXT    NOT NULL,
    asset      TEXT    NOT NULL,
    UNIQUE (venue, instrument, ts, asset)
) STRICT;
