import type { SimBalance, SimPosition } from '../engine/types';
import { ASTER_ACCOUNT_ALIAS, ASTER_LEVERAGE_BRACKETS } from './constants';
import { formatFixedOrZero } from '../engine/decimal';
import type { AsterDecimals } from './wire-market';

/** Largest notional allowed at a leverage: the highest bracket cap whose initial leverage allows it. */
export function maxNotionalAt(leverage: number): number {
  let cap = 0;
  for (const b of ASTER_LEVERAGE_BRACKETS)
    if (b.initialLeverage >= leverage) cap = Math.max(cap, b.notionalCap);
  return cap;
}

function maintRatio(notional: number): number {
  let ratio: number = ASTER_LEVERAGE_BRACKETS[0].maintMarginRatio;
  for (const b of ASTER_LEVERAGE_BRACKETS)
    if (Math.abs(notional) >= b.notionalFloor) ratio = b.maintMarginRatio;
  return ratio;
}

/** Isolated-style estimate (entry ∓ entry/leverage ± maintenance); "0" when flat. Simulator approximation. */
function liquidationPrice(p: SimPosition): number {
  if (p.qty === 0 || p.entryPrice === 0) return 0;
  const mmr = maintRatio(p.qty * p.markPrice);
  const inv = 1 / Math.max(1, p.leverage);
  return p.qty > 0 ? p.entryPrice * (1 - inv + mmr) : p.entryPrice * (1 + inv - mmr);
}

function initialMargin(p: SimPosition): number {
  return Math.abs(p.qty * p.markPrice) / Math.max(1, p.leverage);
}

/** One row of `/fapi/v2/positionRisk` [DOC §Position Information V2], plus `notional` (CCXT reads it). */
export function asterPositionRisk(
  p: SimPosition,
  d: AsterDecimals,
  updateTime: number,
): Record<string, unknown> {
  const isolated = p.marginType === 'isolated';
  const im = initialMargin(p);
  return {
    symbol: p.symbol,
    positionAmt: formatFixedOrZero(p.qty, d.qty),
    entryPrice: formatFixedOrZero(p.entryPrice, Math.max(5, d.price)),
    markPrice: formatFixedOrZero(p.markPrice, 8),
    unRealizedProfit: formatFixedOrZero(p.unrealizedPnl, 8),
    liquidationPrice: formatFixedOrZero(liquidationPrice(p), d.price),
    leverage: String(p.leverage),
    maxNotionalValue: String(maxNotionalAt(p.leverage)),
    marginType: isolated ? 'isolated' : 'cross',
    isolatedMargin: formatFixedOrZero(isolated ? im + p.unrealizedPnl : 0, 8),
    isAutoAddMargin: 'false',
    positionSide: 'BOTH',
    notional: formatFixedOrZero(p.qty * p.markPrice, 8),
    isolatedWallet: formatFixedOrZero(isolated ? im : 0, 8),
    updateTime,
  };
}

/** One row of `/fapi/v2/balance` [DOC §Futures Account Balance V2]. */
export function asterBalanceRow(b: SimBalance, updateTime: number): Record<string, unknown> {
  return {
    accountAlias: ASTER_ACCOUNT_ALIAS,
    asset: b.asset,
    balance: formatFixedOrZero(b.wallet, 8),
    crossWalletBalance: formatFixedOrZero(b.wallet, 8),
    crossUnPnl: formatFixedOrZero(b.unrealizedPnl, 8),
    availableBalance: formatFixedOrZero(b.available, 8),
    maxWithdrawAmount: formatFixedOrZero(Math.max(0, Math.min(b.available, b.wallet)), 8),
    marginAvailable: true,
    updateTime,
  };
}

/** `/fapi/v4/account` [DOC §Account Information V4]. */
export function asterAccount(
  b: SimBalance,
  p: SimPosition,
  openOrderMargin: number,
  d: AsterDecimals,
  updateTime: number,
): Record<string, unknown> {
  const posIm = initialMargin(p);
  const maint = Math.abs(p.qty * p.markPrice) * maintRatio(p.qty * p.markPrice);
  const margin = b.wallet + b.unrealizedPnl;
  const maxWithdraw = formatFixedOrZero(Math.max(0, Math.min(b.available, b.wallet)), 8);
  return {
    feeTier: 0,
    canTrade: true,
    canDeposit: true,
    canWithdraw: true,
    updateTime,
    totalInitialMargin: formatFixedOrZero(b.initialMargin, 8),
    totalMaintMargin: formatFixedOrZero(maint, 8),
    totalWalletBalance: formatFixedOrZero(b.wallet, 8),
    totalUnrealizedProfit: formatFixedOrZero(b.unrealizedPnl, 8),
    totalMarginBalance: formatFixedOrZero(margin, 8),
    totalPositionInitialMargin: formatFixedOrZero(posIm, 8),
    totalOpenOrderInitialMargin: formatFixedOrZero(openOrderMargin, 8),
    totalCrossWalletBalance: formatFixedOrZero(b.wallet, 8),
    totalCrossUnPnl: formatFixedOrZero(b.unrealizedPnl, 8),
    availableBalance: formatFixedOrZero(b.available, 8),
    maxWithdrawAmount: maxWithdraw,
    assets: [
      {
        asset: b.asset,
        walletBalance: formatFixedOrZero(b.wallet, 8),
        unrealizedProfit: formatFixedOrZero(b.unrealizedPnl, 8),
        marginBalance: formatFixedOrZero(margin, 8),
        maintMargin: formatFixedOrZero(maint, 8),
        initialMargin: formatFixedOrZero(b.initialMargin, 8),
        positionInitialMargin: formatFixedOrZero(posIm, 8),
        openOrderInitialMargin: formatFixedOrZero(openOrderMargin, 8),
        crossWalletBalance: formatFixedOrZero(b.wallet, 8),
        crossUnPnl: formatFixedOrZero(b.unrealizedPnl, 8),
        availableBalance: formatFixedOrZero(b.available, 8),
        maxWithdrawAmount: maxWithdraw,
        marginAvailable: true,
        updateTime,
      },
    ],
    positions: [
      {
        symbol: p.symbol,
        initialMargin: formatFixedOrZero(posIm, 8),
        maintMargin: formatFixedOrZero(maint, 8),
        unrealizedProfit: formatFixedOrZero(p.unrealizedPnl, 8),
        positionInitialMargin: formatFixedOrZero(posIm, 8),
        openOrderInitialMargin: formatFixedOrZero(openOrderMargin, 8),
        leverage: String(p.leverage),
        isolated: p.marginType === 'isolated',
        entryPrice: formatFixedOrZero(p.entryPrice, Math.max(5, d.price)),
        maxNotional: String(maxNotionalAt(p.leverage)),
        positionSide: 'BOTH',
        positionAmt: formatFixedOrZero(p.qty, d.qty),
        notional: formatFixedOrZero(p.qty * p.markPrice, 8),
        isolatedWallet: formatFixedOrZero(p.marginType === 'isolated' ? posIm : 0, 8),
        updateTime,
      },
    ],
  };
}

/** `/fapi/v1/leverageBracket` entry. */
export function asterLeverageBrackets(symbol: string): Record<string, unknown> {
  return {
    symbol,
    brackets: ASTER_LEVERAGE_BRACKETS.map((b) => ({
      bracket: b.bracket,
      initialLeverage: b.initialLeverage,
      notionalCap: b.notionalCap,
      notionalFloor: b.notionalFloor,
      maintMarginRatio: b.maintMarginRatio,
      cum: b.cum,
    })),
  };
}
