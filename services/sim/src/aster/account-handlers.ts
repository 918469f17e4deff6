import { AsterApiError } from './api-error';
import { ASTER_ERRORS } from './constants';
import {
  type AsterRequestContext,
  historyPage,
  intParam,
  optionalSymbol,
  param,
  requireParam,
  requireSymbol,
} from './handler-context';
import {
  asterAccount,
  asterBalanceRow,
  asterLeverageBrackets,
  asterPositionRisk,
  maxNotionalAt,
} from './wire-account';
import { asterUserTrade } from './wire-order';

function lastUpdate(ctx: AsterRequestContext): number {
  return ctx.state.engine.fills(ctx.account)[0]?.time ?? 0;
}

export function positionRisk(ctx: AsterRequestContext): unknown {
  optionalSymbol(ctx);
  const p = ctx.state.engine.position(ctx.account);
  return [asterPositionRisk(p, ctx.state.decimals, lastUpdate(ctx))];
}

export function balance(ctx: AsterRequestContext): unknown {
  return [asterBalanceRow(ctx.state.engine.balance(ctx.account), lastUpdate(ctx))];
}

export function account(ctx: AsterRequestContext): unknown {
  const { engine } = ctx.state;
  const p = engine.position(ctx.account);
  const mark = engine.markPrice();
  const lev = Math.max(1, p.leverage);
  const openMargin = engine
    .openOrders(ctx.account)
    .reduce((s, o) => s + ((o.qty - o.executedQty) * (o.price ?? mark)) / lev, 0);
  return asterAccount(engine.balance(ctx.account), p, openMargin, ctx.state.decimals, lastUpdate(ctx));
}

/** POST leverage [DOC §Change Initial Leverage]: 1..maxLeverage, else -4028. */
export function leverage(ctx: AsterRequestContext): unknown {
  const symbol = requireSymbol(ctx);
  const raw = requireParam(ctx, 'leverage');
  const wanted = /^\d{1,4}$/.test(raw) ? Number(raw) : Number.NaN;
  const set = Number.isInteger(wanted) ? ctx.state.engine.setLeverage(ctx.account, wanted) : null;
  if (set === null) throw new AsterApiError(ASTER_ERRORS.invalidLeverage, [raw]);
  return { leverage: set, maxNotionalValue: String(maxNotionalAt(set)), symbol };
}

/** POST marginType [DOC §Change Margin Type]: ISOLATED or CROSSED. */
export function marginType(ctx: AsterRequestContext): unknown {
  requireSymbol(ctx);
  const raw = requireParam(ctx, 'marginType');
  if (raw !== 'ISOLATED' && raw !== 'CROSSED')
    throw new AsterApiError(ASTER_ERRORS.invalidParameter, ['marginType']);
  const wanted = raw === 'ISOLATED' ? 'isolated' : 'cross';
  const { engine } = ctx.state;
  const p = engine.position(ctx.account);
  if (p.marginType === wanted) throw new AsterApiError(ASTER_ERRORS.noNeedToChangeMarginType);
  if (engine.openOrders(ctx.account).length > 0) throw new AsterApiError(ASTER_ERRORS.marginTypeOpenOrders);
  if (p.qty !== 0) throw new AsterApiError(ASTER_ERRORS.marginTypePosition);
  engine.setMarginType(ctx.account, wanted);
  return { code: 200, msg: 'success' };
}

/** GET leverageBracket: an array without `symbol`, the one object with it (Binance USDⓈ-M shape). */
export function leverageBracket(ctx: AsterRequestContext): unknown {
  const symbol = optionalSymbol(ctx);
  const row = asterLeverageBrackets(ctx.state.engine.rules.symbol);
  return symbol === undefined ? [row] : row;
}

export function commissionRate(ctx: AsterRequestContext): unknown {
  const symbol = requireSymbol(ctx);
  const { rules } = ctx.state.engine;
  return {
    symbol,
    makerCommissionRate: String(rules.makerFee),
    takerCommissionRate: String(rules.takerFee),
  };
}

/** GET userTrades: oldest first; filters orderId, fromId, startTime, endTime; limit default 500, max 1000. */
export function userTrades(ctx: AsterRequestContext): unknown {
  requireSymbol(ctx);
  const orderId = intParam(ctx, 'orderId', 0, Number.MAX_SAFE_INTEGER);
  const fills = ctx.state.engine.fills(ctx.account);
  const ofOrder = orderId === undefined ? fills : fills.filter((f) => f.orderId === orderId);
  return historyPage(
    ctx,
    ofOrder,
    'fromId',
    (f) => f.tradeId,
    (f) => f.time,
  ).map((f) => asterUserTrade(f, ctx.state.decimals));
}

/** The simulator runs one-way mode only (positionSide BOTH). */
export function getPositionMode(): unknown {
  return { dualSidePosition: false };
}

export function setPositionMode(ctx: AsterRequestContext): unknown {
  const raw = requireParam(ctx, 'dualSidePosition');
  if (raw === 'false') throw new AsterApiError(ASTER_ERRORS.noNeedToChangePositionSide);
  if (raw === 'true') throw new AsterApiError(ASTER_ERRORS.hedgeModeUnsupported);
  throw new AsterApiError(ASTER_ERRORS.invalidParameter, ['dualSidePosition']);
}

/** GET /fapi/v3/builder: builders the user approved (CCXT's `signIn()` reads it). */
export function builders(ctx: AsterRequestContext): unknown {
  return ctx.state.builders.get(ctx.account) ?? [];
}

/** POST /fapi/v3/approveBuilder: records the approval; builder fees are not charged by the simulator. */
export function approveBuilder(ctx: AsterRequestContext): unknown {
  const builder = requireParam(ctx, 'builder');
  const list = ctx.state.builders.get(ctx.account) ?? [];
  const entry = {
    userAddress: param(ctx, 'user') ?? '',
    builderAddress: builder,
    maxFeeRate: param(ctx, 'maxFeeRate') ?? '',
    builderName: param(ctx, 'builderName') ?? '',
  };
  ctx.state.builders.set(ctx.account, [...list.filter((b) => b.builderAddress !== builder), entry]);
  return { code: 200, msg: 'success' };
}
