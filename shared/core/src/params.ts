/** Taker/maker fee rates per venue, as fractions of notional (0.00035 = 3.5 bp). */
export interface FeeSchedule {
  aster: { taker: number; maker: number };
  backpack: { taker: number; maker: number };
}

/**
 * Everything `decide` needs to know about the strategy. Units: thresholds in USD per unit of base
 * (the executable spread), quantities in base (BTC), times in milliseconds, fees as fractions.
 */
export interface StrategyParams {
  /** Base quantity per leg (TRADE_AMOUNT). */
  tradeQty: number;
  /** Open when the executable spread (sell-venue bid VWAP minus buy-venue ask VWAP) reaches this. */
  openThreshold: number;
  /** Close an open hedge when its executable unwind spread falls below this. */
  closeThreshold: number;
  /** At most this many live hedges (MAX_ADD_POSITIONS). Only 0 and 1 are supported: no adding. */
  maxOpenHedges: number;
  /** Force-close a hedge older than this (FORCE_CLOSE_TIME). */
  forceCloseMs: number;
  /** Never act on a quote older than this, by local receive time and by venue time. */
  maxQuoteAgeMs: number;
  /** Never act when the two venues' quote times are further apart than this. */
  maxQuoteSkewMs: number;
  /** Minimum time between two actions (MIN_TRADE_INTERVAL). */
  minTradeIntervalMs: number;
  fees: FeeSchedule;
}

/**
 * The original bot's defaults. Fee rates: Aster's CCXT default tier (taker 0.035%, maker 0.01%) and
 * Backpack's base perp tier as reported by a third party (taker 0.05%, maker 0.02%; unverified, see
 * shared/venues/backpack.md section 8). The live rates come from the venues' account endpoints.
 */
export const DEFAULT_STRATEGY_PARAMS: StrategyParams = {
  tradeQty: 0.02,
  openThreshold: 120,
  closeThreshold: 80,
  maxOpenHedges: 1,
  forceCloseMs: 30 * 60_000,
  maxQuoteAgeMs: 500,
  maxQuoteSkewMs: 500,
  minTradeIntervalMs: 100,
  fees: {
    aster: { taker: 0.00035, maker: 0.0001 },
    backpack: { taker: 0.0005, maker: 0.0002 },
  },
};
