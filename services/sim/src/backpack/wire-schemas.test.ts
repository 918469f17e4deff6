import { describe, expect, it } from 'vitest';
import { BACKPACK_BTC_RULES } from '../engine/rules';
import type { SimBalance, SimFill, SimOrder, SimPosition } from '../engine/types';
import { accountJson, capitalJson, collateralJson, positionsJson } from './account-json';
import { depthJson, markPriceJson, marketJson, tickerJson } from './market-json';
import { DEFAULT_ORDER_EXTRAS, fillJson, orderHistoryJson, orderJson } from './order-json';
import { wirePrecision } from './wire-precision';

// Required properties per schema of the Backpack OpenAPI spec ("Backpack Exchange API 1.0", components.schemas),
// read from api-evangelist/backpack openapi/_original/backpack-exchange-openapi.yml (see backpack.md sources).
const REQUIRED = {
  LimitOrder: [
    'id',
    'createdAt',
    'executedQuantity',
    'executedQuoteQuantity',
    'postOnly',
    'price',
    'quantity',
    'selfTradePrevention',
    'status',
    'side',
    'symbol',
    'timeInForce',
    'orderType',
  ],
  MarketOrder: [
    'id',
    'createdAt',
    'executedQuantity',
    'executedQuoteQuantity',
    'timeInForce',
    'selfTradePrevention',
    'side',
    'status',
    'symbol',
    'orderType',
  ],
  Order: ['id', 'createdAt', 'orderType', 'selfTradePrevention', 'status', 'side', 'symbol', 'timeInForce'],
  OrderFill: ['fee', 'feeSymbol', 'isMaker', 'orderId', 'price', 'quantity', 'side', 'symbol', 'timestamp'],
  // cumulativeInterest is required in the spec but was removed from /position on 2025-09-01 (changelog).
  FuturePositionWithMargin: [
    'breakEvenPrice',
    'entryPrice',
    'estLiquidationPrice',
    'imf',
    'imfFunction',
    'markPrice',
    'mmf',
    'mmfFunction',
    'netCost',
    'netQuantity',
    'netExposureQuantity',
    'netExposureNotional',
    'pnlRealized',
    'pnlUnrealized',
    'cumulativeFundingPayment',
    'symbol',
    'userId',
    'positionId',
  ],
  AccountSummary: [
    'autoBorrowSettlements',
    'autoLend',
    'autoRealizePnl',
    'autoRepayBorrows',
    'borrowLimit',
    'futuresMakerFee',
    'futuresTakerFee',
    'leverageLimit',
    'limitOrders',
    'liquidating',
    'positionLimit',
    'spotMakerFee',
    'spotTakerFee',
    'triggerOrders',
  ],
  MarginAccountSummary: [
    'assetsValue',
    'borrowLiability',
    'collateral',
    'imf',
    'unsettledEquity',
    'liabilitiesValue',
    'mmf',
    'netEquity',
    'netEquityAvailable',
    'netEquityLocked',
    'netExposureFutures',
    'pnlUnrealized',
  ],
  Collateral: [
    'symbol',
    'assetMarkPrice',
    'totalQuantity',
    'balanceNotional',
    'collateralWeight',
    'collateralValue',
    'openOrderQuantity',
    'lendQuantity',
    'availableQuantity',
  ],
  Market: [
    'symbol',
    'baseSymbol',
    'quoteSymbol',
    'marketType',
    'filters',
    'orderBookState',
    'createdAt',
    'visible',
  ],
  PriceFilter: ['minPrice', 'tickSize'],
  QuantityFilter: ['minQuantity', 'stepSize'],
  Ticker: [
    'symbol',
    'firstPrice',
    'lastPrice',
    'priceChange',
    'priceChangePercent',
    'high',
    'low',
    'volume',
    'quoteVolume',
    'trades',
  ],
  MarkPrice: ['markPrice', 'symbol'],
  Balance: ['available', 'locked', 'staked'],
  Depth: ['asks', 'bids', 'lastUpdateId', 'timestamp'],
} as const;

const RULES = BACKPACK_BTC_RULES;
const wp = wirePrecision(RULES);

const order = (over: Partial<SimOrder>): SimOrder => ({
  side: 'buy',
  type: 'limit',
  tif: 'GTC',
  qty: 0.002,
  price: 60000.1,
  reduceOnly: false,
  clientOrderId: '42',
  orderId: 1100000000001,
  account: 'main',
  symbol: RULES.symbol,
  status: 'new',
  executedQty: 0,
  executedQuote: 0,
  avgPrice: 0,
  fee: 0,
  createdAt: 1_767_225_600_123,
  updatedAt: 1_767_225_600_123,
  expiryReason: null,
  ...over,
});

function expectKeys(value: unknown, required: readonly string[]): void {
  expect(typeof value).toBe('object');
  const keys = Object.keys(value as object);
  for (const key of required) expect(keys, `missing ${key}`).toContain(key);
}

describe('wire shapes carry every property the OpenAPI spec requires', () => {
  it('orders: execution (Limit/Market), history, fills', () => {
    const limit = orderJson(order({}), DEFAULT_ORDER_EXTRAS, wp);
    expectKeys(limit, REQUIRED.LimitOrder);
    expect(limit).toMatchObject({
      orderType: 'Limit',
      price: '60000.1',
      quantity: '0.002',
      clientId: 42,
      status: 'New',
    });
    const market = orderJson(
      order({
        type: 'market',
        price: undefined,
        status: 'filled',
        executedQty: 0.002,
        executedQuote: 120.0002,
      }),
      DEFAULT_ORDER_EXTRAS,
      wp,
    );
    expectKeys(market, REQUIRED.MarketOrder);
    expect(market).not.toHaveProperty('price');
    expect(market).toMatchObject({
      executedQuoteQuantity: '120.0002',
      status: 'Filled',
      createdAt: 1_767_225_600_123,
    });
    const ioc = orderHistoryJson(
      order({ tif: 'IOC', status: 'expired', expiryReason: 'ImmediateOrCancel' }),
      DEFAULT_ORDER_EXTRAS,
      wp,
    );
    expectKeys(ioc, REQUIRED.Order);
    expect(ioc).toMatchObject({
      status: 'Expired',
      expiryReason: 'ImmediateOrCancel',
      createdAt: '2026-01-01T00:00:00.123',
    });
    const fill: SimFill = {
      tradeId: 90000001,
      orderId: 1100000000001,
      clientOrderId: '42',
      account: 'main',
      symbol: RULES.symbol,
      side: 'sell',
      price: 60000.1,
      qty: 0.002,
      fee: 0.0600001,
      feeAsset: 'USDC',
      isMaker: false,
      realizedPnl: 0,
      time: 1_767_225_600_123,
    };
    const f = fillJson(fill, wp);
    expectKeys(f, REQUIRED.OrderFill);
    expect(f).toMatchObject({
      clientId: '42',
      side: 'Ask',
      fee: '0.0600001',
      timestamp: '2026-01-01T00:00:00.123',
    });
  });

  it('positions, capital, collateral, account', () => {
    const position: SimPosition = {
      symbol: RULES.symbol,
      qty: -0.02,
      entryPrice: 100000,
      markPrice: 100100,
      unrealizedPnl: -2,
      realizedPnl: 1.5,
      leverage: 5,
      marginType: 'cross',
    };
    const balance: SimBalance = {
      asset: 'USDC',
      wallet: 1000,
      unrealizedPnl: -2,
      available: 597.6,
      initialMargin: 400.4,
    };
    const [p] = positionsJson({ account: 'main', position, balance, openOrders: [] }, wp);
    expectKeys(p, REQUIRED.FuturePositionWithMargin);
    expect(p).toMatchObject({ netQuantity: '-0.02', netCost: '-2000', netExposureQuantity: '0.02' });
    expect(Number(p?.estLiquidationPrice)).toBeGreaterThan(100000);
    expect(
      positionsJson({ account: 'main', position: { ...position, qty: 0 }, balance, openOrders: [] }, wp),
    ).toEqual([]);
    expectKeys(capitalJson(balance, wp).USDC, REQUIRED.Balance);
    const collateral = collateralJson(balance, position, [], wp);
    expectKeys(collateral, REQUIRED.MarginAccountSummary);
    expectKeys((collateral.collateral as unknown[])[0], REQUIRED.Collateral);
    const account = accountJson(RULES, 5, 0);
    expectKeys(account, REQUIRED.AccountSummary);
    expect(account).toMatchObject({ futuresTakerFee: '5', futuresMakerFee: '2', leverageLimit: '5' });
  });

  it('markets, depth, ticker, mark price', () => {
    const market = marketJson(RULES, wp);
    expectKeys(market, REQUIRED.Market);
    const filters = market.filters as { price: unknown; quantity: unknown };
    expectKeys(filters.price, REQUIRED.PriceFilter);
    expectKeys(filters.quantity, REQUIRED.QuantityFilter);
    expect(filters.quantity).toMatchObject({ stepSize: '0.00001', minQuantity: '0.00001' });
    const book = {
      bids: [
        { price: 99999.9, qty: 0.5 },
        { price: 99999.5, qty: 1 },
      ],
      asks: [
        { price: 100000, qty: 0.25 },
        { price: 100000.4, qty: 2 },
      ],
      updateId: 77,
      time: 1_767_225_600_123,
    };
    const depth = depthJson(book, 1000, wp);
    expectKeys(depth, REQUIRED.Depth);
    expect(depth).toEqual({
      asks: [
        ['100000.0', '0.25000'],
        ['100000.4', '2.00000'],
      ],
      bids: [
        ['99999.5', '1.00000'],
        ['99999.9', '0.50000'],
      ],
      lastUpdateId: '77',
      timestamp: 1_767_225_600_123_000,
    });
    const ticker = tickerJson(
      RULES.symbol,
      {
        open: 100,
        high: 110,
        low: 90,
        last: 105,
        volume: 3,
        quoteVolume: 300,
        trades: 4,
        openTime: 0,
        closeTime: 1,
      },
      wp,
    );
    expectKeys(ticker, REQUIRED.Ticker);
    expect(ticker).toMatchObject({ priceChange: '5', priceChangePercent: '0.05', trades: '4' });
    expectKeys(markPriceJson(RULES.symbol, 100000, 0, wp), REQUIRED.MarkPrice);
  });
});
