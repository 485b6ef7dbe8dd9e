-- 0002_hedge_instruments: contract terms and mark prices of hedge instruments, so that mm pnl can value
-- hedge_fills and funding (reference/quant.md §4.3, §5.1, §5.2).
--
-- The terms live in their own table, one row per (venue, instrument), rather than as columns of hedge_fills:
-- a contract's terms do not change from one trade to the next, and funding and marks need them as much as fills.
-- A hedge fill, mark or funding payment without a row here cannot be valued; `mm journal import` refuses it.

-- contract:
--   linear  — PnL in the quote asset: N·contract_size·(F1 − F0), contract_size in base units per contract
--             (USDT-margined perpetuals and futures); settle_asset must be quote_asset.
--   inverse — PnL in the coin: N·contract_size·(1/F0 − 1/F1), contract_size the face value in quote_asset
--             (coin-margined, e.g. 100 USD per BTC contract); settle_asset is the coin and differs from quote_asset.
CREATE TABLE hedge_instruments (
    venue         TEXT NOT NULL CHECK (venue <> ''),
    instrument    TEXT NOT NULL CHECK (instrument <> ''),
    contract      TEXT NOT NULL CHECK (contract IN ('linear', 'inverse')),
    contract_size TEXT NOT NULL,
    quote_asset   TEXT NOT NULL CHECK (quote_asset <> ''),
    settle_asset  TEXT NOT NULL CHECK (settle_asset <> ''),
    PRIMARY KEY (venue, instrument),
    CHECK ((contract = 'linear') = (settle_asset = quote_asset))
) STRICT;

-- The mark price F of a hedge instrument over time, in its quote asset: what values an open hedge position.
CREATE TABLE hedge_marks (
    id         INTEGER PRIMARY KEY,
    run_id     INTEGER REFERENCES runs (id),
    venue      TEXT    NOT NULL,
    instrument TEXT    NOT NULL,
    ts         INTEGER NOT NULL,
    mark       TEXT    NOT NULL
) STRICT;
CREATE INDEX hedge_marks_instrument_ts ON hedge_marks (venue, instrument, ts);

CREATE INDEX funding_instrument_ts ON funding (venue, instrument, ts);
