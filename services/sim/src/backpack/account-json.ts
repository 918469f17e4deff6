import { createHash } from 'node:crypto';
import type { SimBalance, SimMarketRules, SimOrder, SimPosition } from '../engine/types';
import { BACKPACK_ACCOUNT_FACTS, BACKPACK_MARKET_FACTS } from './constants';
import { formatNormalized } from '../engine/decimal';
import type { WirePrecision } from './wire-precision';

/** Account answers: /api/v1/position, /capital, /capital/collateral, /account, shaped as the OpenAPI schemas. */

/** A stable numeric user id and position id for an engine account (the engine has none). */
export function accountUserId(account: string): number {
  return createHash('sha256').update(account).digest().readUInt32BE(0) & 0x7fffffff;
}

export function positionId(account: string, symbol: string): string {
  return String(createHash('sha256').update(`${account}:${symbol}`).digest().readUInt32BE(0));
}

/** Worst-case exposure including resting orders: max(|q + open bids|, |q - open asks|). */
export function worstCaseExposure(qty: number, openOrders: readonly SimOrder[]): number {
  let bids = 0;
  let asks = 0;
  for (const o of openOrders) {
    const remaining = Math.max(0, o.qty - o.executedQty);
    if (o.side === 'buy') bids += remaining;
    else asks += remaining;
  }
  return Math.max(Math.abs(qty + bids), Math.abs(qty - asks));
}

/** Price at which equity (wallet + PnL) falls to the maintenance margin; 0 when none. */
export function estLiquidationPrice(p: SimPosition, wallet: number, mmf: number): number {
  const q = p.qty;
  if (q === 0) return 0;
  const price =
    q > 0 ? (q * p.entryPrice - wallet) / (q * (1 - mmf)) : (q * p.entryPrice - wallet) / (q * (1 + mmf));
  return Number.isFinite(price) && price > 0 ? price : 0;
}

export interface PositionInput {
  account: string;
  position: SimPosition;
  balance: SimBalance;
  openOrders: readonly SimOrder[];
}

/** GET /api/v1/position: [] when flat; netQuantity/netCost signed, netExposureQuantity positive. */
export function positionsJson(input: PositionInput, wp: WirePrecision): Record<string, unknown>[] {
  const { position: p, account } = input;
  if (p.qty === 0) return [];
  const mmf = Number(BACKPACK_MARKET_FACTS.mmfFunction.base);
  const imf = Math.max(1 / p.leverage, Number(BACKPACK_MARKET_FACTS.imfFunction.base));
  const exposure = worstCaseExposure(p.qty, input.openOrders);
  return [
    {
      breakEvenPrice: wp.price(p.entryPrice),
      entryPrice: wp.price(p.entryPrice),
      estLiquidationPrice: wp.price(estLiquidationPrice(p, input.balance.wallet, mmf)),
      imf: formatNormalized(imf, 8),
      imfFunction: { ...BACKPACK_MARKET_FACTS.imfFunction },
      markPrice: wp.price(p.markPrice),
      mmf: formatNormalized(mmf, 8),
      mmfFunction: { ...BACKPACK_MARKET_FACTS.mmfFunction },
      netCost: wp.quote(p.qty * p.entryPrice),
      netQuantity: wp.qty(p.qty),
      netExposureQuantity: wp.qty(exposure),
      netExposureNotional: wp.quote(exposure * p.markPrice),
      pnlRealized: wp.amount(p.realizedPnl),
      pnlUnrealized: wp.amount(p.unrealizedPnl),
      cumulativeFundingPayment: '0',
      subaccountId: null,
      symbol: p.symbol,
      userId: accountUserId(account),
      positionId: positionId(account, p.symbol),
    },
  ];
}

/** GET /api/v1/capital: {ASSET: {available, locked, staked}}; margin in use is reported as locked. */
export function capitalJson(balance: SimBalance, wp: WirePrecision): Record<string, unknown> {
  return {
    [balance.asset]: {
      available: wp.amount(Math.max(0, balance.available)),
      locked: wp.amount(balance.initialMargin),
      staked: '0',
    },
  };
}

/** GET /api/v1/capital/collateral (OpenAPI MarginAccountSummary). */
export function collateralJson(
  balance: SimBalance,
  position: SimPosition,
  openOrders: readonly SimOrder[],
  wp: WirePrecision,
): Record<string, unknown> {
  const equity = balance.wallet + balance.unrealizedPnl;
  const exposure = worstCaseExposure(position.qty, openOrders) * position.markPrice;
  const mmf = Number(BACKPACK_MARKET_FACTS.mmfFunction.base);
  const imf = position.leverage > 0 ? 1 / position.leverage : 1;
  return {
    assetsValue: wp.amount(equity),
    borrowLiability: '0',
    collateral: [
      {
        symbol: balance.asset,
        assetMarkPrice: '1',
        totalQuantity: wp.amount(balance.wallet),
        balanceNotional: wp.amount(balance.wallet),
        collateralWeight: '1',
        collateralValue: wp.amount(balance.wallet),
        openOrderQuantity: '0',
        lendQuantity: '0',
        availableQuantity: wp.amount(Math.max(0, balance.available)),
      },
    ],
    imf: formatNormalized(imf, 8),
    unsettledEquity: wp.amount(balance.unrealizedPnl),
    liabilitiesValue: '0',
    marginFraction: exposure > 0 ? formatNormalized(equity / exposure, 8) : null,
    mmf: formatNormalized(mmf, 8),
    netEquity: wp.amount(equity),
    netEquityAvailable: wp.amount(Math.max(0, balance.available)),
    netEquityLocked: wp.amount(balance.initialMargin),
    netExposureFutures: wp.amount(exposure),
    pnlUnrealized: wp.amount(balance.unrealizedPnl),
  };
}

/** Fee fraction (0.0005) as basis points ("5"). */
export function feeBps(fraction: number): string {
  return formatNormalized(fraction * 10_000, 4);
}

/** GET /api/v1/account (OpenAPI AccountSummary: fees in bps, leverageLimit a decimal string). */
export function accountJson(
  rules: SimMarketRules,
  leverage: number,
  openLimitOrders: number,
): Record<string, unknown> {
  return {
    autoBorrowSettlements: false,
    autoLend: false,
    autoRealizePnl: true,
    autoRepayBorrows: false,
    borrowLimit: BACKPACK_ACCOUNT_FACTS.borrowLimit,
    futuresMakerFee: feeBps(rules.makerFee),
    futuresTakerFee: feeBps(rules.takerFee),
    leverageLimit: formatNormalized(leverage, 4),
    limitOrders: openLimitOrders,
    liquidating: false,
    positionLimit: BACKPACK_ACCOUNT_FACTS.positionLimit,
    spotMakerFee: BACKPACK_ACCOUNT_FACTS.spotMakerFeeBps,
    spotTakerFee: BACKPACK_ACCOUNT_FACTS.spotTakerFeeBps,
    triggerOrders: 0,
  };
}
