import { AsterApiError } from './api-error';
import { ASTER_DEPTH_DEFAULT_LIMIT, ASTER_DEPTH_LIMITS, ASTER_ERRORS, asterDepthWeight } from './constants';
import { formatFixedOrZero } from '../engine/decimal';
import { type AsterRequestContext, optionalSymbol, param } from './handler-context';
import {
  asterBookTicker,
  asterDepth,
  asterExchangeInfo,
  asterPremiumIndex,
  asterSpotExchangeInfo,
  asterTicker24h,
} from './wire-market';

export function ping(): unknown {
  return {};
}

export function time(ctx: AsterRequestContext): unknown {
  return { serverTime: ctx.now };
}

export function exchangeInfo(ctx: AsterRequestContext): unknown {
  const { engine, tuning } = ctx.state;
  return asterExchangeInfo(engine.rules, engine.marginAsset, ctx.now, tuning);
}

export function spotExchangeInfo(ctx: AsterRequestContext): unknown {
  return asterSpotExchangeInfo(ctx.now, ctx.state.tuning.weightPerMinute);
}

function depthLimit(params: Map<string, string>): number {
  const raw = params.get('limit');
  if (raw === undefined || raw === '') return ASTER_DEPTH_DEFAULT_LIMIT;
  const n = Number(raw);
  if (!(ASTER_DEPTH_LIMITS as readonly number[]).includes(n)) {
    throw new AsterApiError(ASTER_ERRORS.invalidDepthLimit, [raw]);
  }
  return n;
}

export function depthWeight(params: Map<string, string>): number {
  try {
    return asterDepthWeight(depthLimit(params));
  } catch {
    return 2;
  }
}

export function depth(ctx: AsterRequestContext): unknown {
  const symbol = param(ctx, 'symbol');
  if (symbol === undefined) throw new AsterApiError(ASTER_ERRORS.mandatoryParam, ['symbol']);
  optionalSymbol(ctx);
  const limit = depthLimit(ctx.params);
  return asterDepth(ctx.state.engine.book(limit), ctx.state.decimals, ctx.now);
}

/** 1 with a symbol, `all` without (the venue's weight for all-symbol queries). */
export function symbolWeight(all: number): (params: Map<string, string>) => number {
  return (params) => (params.get('symbol') ? 1 : all);
}

function oneOrAll<T>(ctx: AsterRequestContext, row: T): T | T[] {
  return optionalSymbol(ctx) === undefined ? [row] : row;
}

export function ticker24h(ctx: AsterRequestContext): unknown {
  const { engine, decimals } = ctx.state;
  return oneOrAll(ctx, asterTicker24h(engine.rules.symbol, engine.ticker24h(), engine.book(1), decimals));
}

export function tickerPrice(ctx: AsterRequestContext): unknown {
  const { engine, decimals } = ctx.state;
  const t = engine.ticker24h();
  return oneOrAll(ctx, {
    symbol: engine.rules.symbol,
    price: formatFixedOrZero(t.last, decimals.price),
    time: ctx.now,
  });
}

export function bookTicker(ctx: AsterRequestContext): unknown {
  const { engine, decimals } = ctx.state;
  return oneOrAll(ctx, asterBookTicker(engine.rules.symbol, engine.book(1), decimals));
}

export function premiumIndex(ctx: AsterRequestContext): unknown {
  const { engine } = ctx.state;
  return oneOrAll(ctx, asterPremiumIndex(engine.rules.symbol, engine.markPrice(), ctx.now));
}
