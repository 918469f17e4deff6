import { breakEvenSpread as coreBreakEvenSpread } from '@arb/core/economics';
import type { AppConfig } from './config';
import { ConfigError } from './config-error';

/**
 * The start-up economics check. A hedge gains at most (open threshold - close threshold) per unit of base
 * between its open and its threshold close, and pays four taker fills (open and close, on both venues).
 * When that gap is below the break-even spread, the thresholds cannot make money: refuse in live (unless
 * ALLOW_UNPROFITABLE=true), warn in sim and paper.
 */
export interface EconomicsCheck {
  verdict: 'ok' | 'warn' | 'refuse';
  /** ECONOMICS_REF_PRICE, USD. */
  refPrice: number;
  /** Spread (USD per unit of base) that 4 taker fills cost at the reference price. */
  breakEvenSpread: number;
  /** Open threshold minus close threshold (USD per unit of base). */
  thresholdGap: number;
  /** thresholdGap - breakEvenSpread: the expected net edge of a threshold-to-threshold round trip. */
  netEdge: number;
  /** Round-trip fee cost of one hedge of the configured size at the reference price (USD). */
  roundTripFeeUsd: number;
  /** One line for the log. */
  message: string;
}

export function checkEconomics(config: AppConfig): EconomicsCheck {
  const { strategy, economicsRefPrice: refPrice } = config;
  const breakEvenSpread = round2(coreBreakEvenSpread(refPrice, strategy.fees));
  const thresholdGap = round2(strategy.openThreshold - strategy.closeThreshold);
  const netEdge = round2(thresholdGap - breakEvenSpread);
  const roundTripFeeUsd = round2(breakEvenSpread * strategy.tradeQty);
  const profitable = netEdge > 0;
  const verdict = profitable ? 'ok' : config.mode === 'live' && !config.allowUnprofitable ? 'refuse' : 'warn';
  const head =
    `break-even spread ${breakEvenSpread} USD at reference price ${refPrice} (4 taker fills); ` +
    `open-close gap ${strategy.openThreshold}-${strategy.closeThreshold} = ${thresholdGap} USD`;
  const tail = profitable
    ? `: net edge ${netEdge} USD per unit`
    : verdict === 'refuse'
      ? `: cannot cover fees (net ${netEdge} USD per unit); refusing to start live (set ALLOW_UNPROFITABLE=true to override)`
      : `: cannot cover fees (net ${netEdge} USD per unit)`;
  return { verdict, refPrice, breakEvenSpread, thresholdGap, netEdge, roundTripFeeUsd, message: head + tail };
}

/** Throws a ConfigError when the check refuses to start. */
export function assertEconomics(check: EconomicsCheck): void {
  if (check.verdict !== 'refuse') return;
  throw new ConfigError([
    {
      key: 'ARB_THRESHOLD + CLOSE_DIFF',
      problem: check.message,
      expected: `ARB_THRESHOLD - CLOSE_DIFF > ${check.breakEvenSpread}, or ALLOW_UNPROFITABLE=true`,
    },
  ]);
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
