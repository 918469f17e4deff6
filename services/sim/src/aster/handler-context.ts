import type { SimVenueEngine } from '../engine/types';
import { AsterApiError } from './api-error';
import { ASTER_ERRORS } from './constants';
import type { AsterTuning } from './options';
import type { AsterDecimals } from './wire-market';

/** Approved builders per account (CCXT's `signIn()` approves its builder once). */
export interface AsterBuilderApproval {
  userAddress: string;
  builderAddress: string;
  maxFeeRate: string;
  builderName: string;
}

/** Front-end state shared by the REST handlers. */
export interface AsterVenueState {
  engine: SimVenueEngine;
  tuning: AsterTuning;
  decimals: AsterDecimals;
  builders: Map<string, AsterBuilderApproval[]>;
  /** Counter of auto-generated client order ids (deterministic across seeded runs). */
  autoClientId: { next: number };
}

export interface AsterRequestContext {
  state: AsterVenueState;
  params: Map<string, string>;
  /** Engine account id; '' on public routes. */
  account: string;
  /** `/fapi/v1` vs `/fapi/v3`: a few bodies differ by version. */
  version: string;
  now: number;
}

export function param(ctx: AsterRequestContext, name: string): string | undefined {
  const v = ctx.params.get(name);
  return v === '' ? undefined : v;
}

export function requireParam(ctx: AsterRequestContext, name: string): string {
  const v = param(ctx, name);
  if (v === undefined) throw new AsterApiError(ASTER_ERRORS.mandatoryParam, [name]);
  return v;
}

/** The symbol param must name the simulated symbol (-1121). */
export function requireSymbol(ctx: AsterRequestContext): string {
  const s = requireParam(ctx, 'symbol');
  if (s !== ctx.state.engine.rules.symbol) throw new AsterApiError(ASTER_ERRORS.badSymbol);
  return s;
}

/** Optional symbol filter: undefined means all symbols; an unknown one is -1121. */
export function optionalSymbol(ctx: AsterRequestContext): string | undefined {
  const s = param(ctx, 'symbol');
  if (s !== undefined && s !== ctx.state.engine.rules.symbol) throw new AsterApiError(ASTER_ERRORS.badSymbol);
  return s;
}

export function intParam(
  ctx: AsterRequestContext,
  name: string,
  min: number,
  max: number,
): number | undefined {
  const v = param(ctx, name);
  if (v === undefined) return undefined;
  if (!/^-?\d{1,16}$/.test(v)) throw new AsterApiError(ASTER_ERRORS.invalidParameter, [name]);
  const n = Number(v);
  if (n < min || n > max) throw new AsterApiError(ASTER_ERRORS.invalidParameter, [name]);
  return n;
}

/**
 * One page of a history endpoint (allOrders, userTrades): the engine's newest-first list read oldest
 * first, from id `fromIdParam` on, inside startTime..endTime, at most `limit` (default 500, max 1000).
 */
export function historyPage<T>(
  ctx: AsterRequestContext,
  newestFirst: readonly T[],
  fromIdParam: string,
  id: (item: T) => number,
  time: (item: T) => number,
): T[] {
  const fromId = intParam(ctx, fromIdParam, 0, Number.MAX_SAFE_INTEGER);
  const start = intParam(ctx, 'startTime', 0, Number.MAX_SAFE_INTEGER);
  const end = intParam(ctx, 'endTime', 0, Number.MAX_SAFE_INTEGER);
  const limit = intParam(ctx, 'limit', 1, 1000) ?? 500;
  return newestFirst
    .slice()
    .reverse()
    .filter((x) => fromId === undefined || id(x) >= fromId)
    .filter((x) => start === undefined || time(x) >= start)
    .filter((x) => end === undefined || time(x) <= end)
    .slice(0, limit);
}
