import type { OrderOutcome, OrderRequest } from '@arb/core/order';
import { compareDecimal, formatToStep, multiplyDecimal } from '@arb/core/decimal';
import type {
  BalanceSnapshot,
  OpenOrderSnapshot,
  PlaceOrderOptions,
  PositionSnapshot,
  VenueClient,
} from '@arb/core/venue-client';
import { VenueError } from '@arb/net/venue-error';
import type { AsterParams } from './auth';
import {
  ASTER_CLIENT_ORDER_ID_PATTERN,
  ASTER_CODES,
  ASTER_DEFAULT_TAKER_FEE,
  ASTER_MARGIN_ASSET,
  ASTER_PUBLIC_PATHS,
  ASTER_WEIGHTS,
} from './constants';
import {
  type AsterMarketRules,
  type ParsedOrder,
  parseBalance,
  parseMarketRules,
  parseOpenOrder,
  parseOrder,
  parsePosition,
  sumCommission,
} from './parse-rest';
import { AsterRestClient, type AsterRestOptions } from './rest-client';
import type {
  AsterBalanceRow,
  AsterExchangeInfo,
  AsterLeverageResponse,
  AsterOrder,
  AsterPositionRisk,
  AsterUserTrade,
} from './types';

export interface AsterVenueClientOptions extends AsterRestOptions {
  /** Queries after an answer that does not show the final state yet (default 5, 150 ms apart). */
  fillPollAttempts?: number;
  fillPollDelayMs?: number;
  /** Fee rate used only when the commission cannot be read from userTrades (default CCXT's 0.035%). */
  takerFeeEstimate?: number;
  /** exchangeInfo cache lifetime (default 10 min). */
  rulesTtlMs?: number;
}

/** An order ready to send, or why it must not be sent (local checks against exchangeInfo filters). */
export type PreparedOrder =
  | { ok: true; params: AsterParams; qty: string; price: string | null }
  | { ok: false; code: string; reason: string };

/**
 * Applies the symbol's filters before anything is sent: client order id rule, quantity rounded DOWN to
 * the step (exact decimals), price rounded to the tick on the conservative side (buy down, sell up),
 * min/max quantity and min notional (unless reduce-only; market orders without a price are left to the
 * venue, which checks notional at the mark price).
 */
export function prepareAsterOrder(req: OrderRequest, rules: AsterMarketRules): PreparedOrder {
  if (!ASTER_CLIENT_ORDER_ID_PATTERN.test(req.clientOrderId)) {
    return {
      ok: false,
      code: 'LOCAL_BAD_CLIENT_ORDER_ID',
      reason: `client order id ${req.clientOrderId} breaks the venue rule`,
    };
  }
  if (!(req.qty > 0)) return { ok: false, code: 'LOCAL_QTY_NOT_POSITIVE', reason: `qty ${req.qty}` };
  const qty = formatToStep(req.qty, rules.stepSizeStr, 'down');
  if (compareDecimal(qty, rules.minQtyStr) < 0) {
    return {
      ok: false,
      code: 'LOCAL_QTY_BELOW_MIN',
      reason: `qty ${req.qty} → ${qty} < minQty ${rules.minQtyStr}`,
    };
  }
  const isMarket = req.limitPrice === undefined;
  const maxQty = isMarket ? rules.marketMaxQtyStr : rules.maxQtyStr;
  if (compareDecimal(qty, maxQty) > 0) {
    return { ok: false, code: 'LOCAL_QTY_ABOVE_MAX', reason: `qty ${qty} > maxQty ${maxQty}` };
  }
  let price: string | null = null;
  if (!isMarket) {
    if (!(req.limitPrice! > 0))
      return { ok: false, code: 'LOCAL_BAD_PRICE', reason: `price ${req.limitPrice}` };
    price = formatToStep(req.limitPrice!, rules.tickSizeStr, req.side === 'buy' ? 'down' : 'up');
    if (!req.reduceOnly && compareDecimal(multiplyDecimal(qty, price), rules.minNotionalStr) < 0) {
      return {
        ok: false,
        code: 'LOCAL_MIN_NOTIONAL',
        reason: `notional ${qty} × ${price} < ${rules.minNotionalStr}`,
      };
    }
  }
  const params: AsterParams = [
    ['symbol', req.symbol],
    ['side', req.side === 'buy' ? 'BUY' : 'SELL'],
    ['type', isMarket ? 'MARKET' : 'LIMIT'],
    ['quantity', qty],
  ];
  if (price !== null) {
    params.push(['price', price], ['timeInForce', 'IOC']);
  }
  if (req.reduceOnly) params.push(['reduceOnly', 'true']);
  params.push(['newClientOrderId', req.clientOrderId], ['newOrderRespType', 'RESULT']);
  return { ok: true, params, qty, price };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * AsterDex behind the venue-neutral VenueClient: a direct signed REST client (V3 EIP-712 or legacy HMAC),
 * every order outcome classified filled / rejected (venue code) / unknown (timeout, 5xx, reset).
 */
export class AsterVenueClient implements VenueClient {
  readonly venue = 'aster' as const;
  readonly rest: AsterRestClient;
  private readonly o: AsterVenueClientOptions;
  private readonly rules = new Map<string, { at: number; p: Promise<AsterMarketRules> }>();

  constructor(opts: AsterVenueClientOptions) {
    this.o = opts;
    this.rest = new AsterRestClient(opts);
  }

  /** Syncs the server clock and loads the rules of `symbol` (call at start; fails fast on bad config). */
  async init(symbol: string): Promise<void> {
    await this.rest.syncTime();
    await this.marketRules(symbol);
  }

  marketRules(symbol: string): Promise<AsterMarketRules> {
    const ttl = this.o.rulesTtlMs ?? 600_000;
    const hit = this.rules.get(symbol);
    if (hit && Date.now() - hit.at < ttl) return hit.p;
    const p = this.rest
      .publicGet<AsterExchangeInfo>(ASTER_PUBLIC_PATHS.exchangeInfo, [], ASTER_WEIGHTS.exchangeInfo ?? 1)
      .then((info) => {
        const s = info.symbols?.find((x) => x.symbol === symbol);
        if (!s) {
          throw new VenueError({
            venue: 'aster',
            endpoint: `GET ${ASTER_PUBLIC_PATHS.exchangeInfo}`,
            code: 'LOCAL_UNKNOWN_SYMBOL',
            category: 'config',
            detail: `symbol ${symbol} not listed`,
          });
        }
        return parseMarketRules(s);
      });
    p.catch(() => this.rules.delete(symbol));
    this.rules.set(symbol, { at: Date.now(), p });
    return p;
  }

  async placeOrder(req: OrderRequest, opts: PlaceOrderOptions = {}): Promise<OrderOutcome> {
    const base = { venue: 'aster' as const, clientOrderId: req.clientOrderId };
    let prepared: PreparedOrder;
    try {
      prepared = prepareAsterOrder(req, await this.marketRules(req.symbol));
    } catch (e) {
      return { ...base, kind: 'rejected', code: codeOf(e, 'LOCAL_RULES'), reason: `not sent: ${msgOf(e)}` };
    }
    if (!prepared.ok) return { ...base, kind: 'rejected', code: prepared.code, reason: prepared.reason };
    let raw: AsterOrder;
    try {
      raw = await this.rest.signed<AsterOrder>(
        'POST',
        this.rest.paths.order,
        prepared.params,
        ASTER_WEIGHTS.order ?? 1,
        opts.sendGate ? { sendGate: opts.sendGate } : {},
      );
    } catch (e) {
      return this.outcomeOfError(e, req.clientOrderId);
    }
    let parsed: ParsedOrder;
    try {
      parsed = parseOrder(raw);
    } catch (e) {
      return { ...base, kind: 'unknown', reason: `unreadable order answer: ${msgOf(e)}` };
    }
    if (parsed.state.kind === 'open') {
      // An ACK-style answer: poll the final state by client order id.
      const attempts = this.o.fillPollAttempts ?? 5;
      for (let i = 0; i < attempts && parsed.state.kind === 'open'; i++) {
        await sleep(this.o.fillPollDelayMs ?? 150);
        try {
          const o = await this.queryOrder(req.symbol, req.clientOrderId);
          if (o) parsed = o;
        } catch (e) {
          if (i === attempts - 1)
            return { ...base, kind: 'unknown', reason: `order ${parsed.orderId} open; ${msgOf(e)}` };
        }
      }
    }
    return this.outcomeOf(req.symbol, parsed);
  }

  async findOrder(symbol: string, clientOrderId: string): Promise<OrderOutcome | null> {
    const o = await this.queryOrder(symbol, clientOrderId);
    return o ? this.outcomeOf(symbol, o) : null;
  }

  async cancelOrder(symbol: string, clientOrderId: string): Promise<void> {
    await this.rest.signed<AsterOrder>(
      'DELETE',
      this.rest.paths.order,
      [
        ['symbol', symbol],
        ['origClientOrderId', clientOrderId],
      ],
      ASTER_WEIGHTS.cancelOrder ?? 1,
    );
  }

  async position(symbol: string): Promise<PositionSnapshot> {
    const rows = await this.rest.signed<AsterPositionRisk[]>(
      'GET',
      this.rest.paths.positionRisk,
      [['symbol', symbol]],
      ASTER_WEIGHTS.positionRisk ?? 5,
    );
    return this.parseOrBug(() => parsePosition(rows, symbol), `GET ${this.rest.paths.positionRisk}`);
  }

  async openOrders(symbol: string): Promise<OpenOrderSnapshot[]> {
    const rows = await this.rest.signed<AsterOrder[]>(
      'GET',
      this.rest.paths.openOrders,
      [['symbol', symbol]],
      ASTER_WEIGHTS.openOrders ?? 1,
    );
    return this.parseOrBug(() => rows.map(parseOpenOrder), `GET ${this.rest.paths.openOrders}`);
  }

  async balance(): Promise<BalanceSnapshot> {
    const rows = await this.rest.signed<AsterBalanceRow[]>(
      'GET',
      this.rest.paths.balance,
      [],
      ASTER_WEIGHTS.balance ?? 5,
    );
    return this.parseOrBug(() => parseBalance(rows, ASTER_MARGIN_ASSET), `GET ${this.rest.paths.balance}`);
  }

  /** Sets cross margin (a "no need to change" answer is success) and the leverage; returns the venue's. */
  async ensureLeverage(symbol: string, leverage: number): Promise<number> {
    try {
      await this.rest.signed(
        'POST',
        this.rest.paths.marginType,
        [
          ['symbol', symbol],
          ['marginType', 'CROSSED'],
        ],
        ASTER_WEIGHTS.marginType ?? 1,
      );
    } catch (e) {
      const code = e instanceof VenueError ? e.code : '';
      if (code === String(ASTER_CODES.noNeedToChangeMarginType)) {
        // already cross
      } else if (code === '-4047' || code === '-4048') {
        this.o.log?.warn({ symbol, code }, 'aster margin type not changed: open orders or position');
      } else throw e;
    }
    const r = await this.rest.signed<AsterLeverageResponse>(
      'POST',
      this.rest.paths.leverage,
      [
        ['symbol', symbol],
        ['leverage', String(Math.round(leverage))],
      ],
      ASTER_WEIGHTS.leverage ?? 1,
    );
    return Number(r.leverage);
  }

  async close(): Promise<void> {
    await this.rest.close();
  }

  /** The order by client order id, or null when the venue has none (-2013). */
  private async queryOrder(symbol: string, clientOrderId: string): Promise<ParsedOrder | null> {
    try {
      const raw = await this.rest.signed<AsterOrder>(
        'GET',
        this.rest.paths.order,
        [
          ['symbol', symbol],
          ['origClientOrderId', clientOrderId],
        ],
        ASTER_WEIGHTS.queryOrder ?? 1,
      );
      return this.parseOrBug(() => parseOrder(raw), `GET ${this.rest.paths.order}`);
    } catch (e) {
      if (e instanceof VenueError && e.code === String(ASTER_CODES.noSuchOrder)) return null;
      throw e;
    }
  }

  private async outcomeOf(symbol: string, o: ParsedOrder): Promise<OrderOutcome> {
    const base = { venue: 'aster' as const, clientOrderId: o.clientOrderId };
    switch (o.state.kind) {
      case 'open':
        return { ...base, kind: 'unknown', reason: `order ${o.orderId} still ${o.status}` };
      case 'done_unfilled':
        return {
          ...base,
          kind: 'rejected',
          code: o.state.code,
          reason: `order ${o.orderId} ended ${o.status} without execution`,
        };
      case 'done_filled': {
        const fee = await this.feeOf(symbol, o);
        return {
          ...base,
          kind: 'filled',
          venueOrderId: o.orderId,
          side: o.side,
          qty: o.executedQty,
          avgPrice: o.avgPrice,
          fee: fee.fee,
          feeAsset: fee.asset,
          executedAt: o.updateTime,
        };
      }
    }
  }

  /** Commission from userTrades (the order answer carries none); an estimate if it cannot be read. */
  private async feeOf(symbol: string, o: ParsedOrder): Promise<{ fee: number; asset: string }> {
    for (let i = 0; i < 3; i++) {
      try {
        const trades = await this.rest.signed<AsterUserTrade[]>(
          'GET',
          this.rest.paths.userTrades,
          [
            ['symbol', symbol],
            ['orderId', o.orderId],
          ],
          ASTER_WEIGHTS.userTrades ?? 5,
        );
        const c = sumCommission(trades, o.orderId);
        if (c) return c;
      } catch (e) {
        this.o.log?.warn({ orderId: o.orderId, err: msgOf(e) }, 'aster userTrades failed');
      }
      await sleep(100);
    }
    const fee = o.avgPrice * o.executedQty * (this.o.takerFeeEstimate ?? ASTER_DEFAULT_TAKER_FEE);
    this.o.log?.warn({ orderId: o.orderId, fee }, 'aster commission unknown; using the taker-rate estimate');
    return { fee, asset: ASTER_MARGIN_ASSET };
  }

  private outcomeOfError(e: unknown, clientOrderId: string): OrderOutcome {
    const base = { venue: 'aster' as const, clientOrderId };
    if (e instanceof VenueError && e.category !== 'unknown') {
      return { ...base, kind: 'rejected', ...e.rejection() };
    }
    return { ...base, kind: 'unknown', reason: msgOf(e) };
  }

  private parseOrBug<T>(f: () => T, endpoint: string): T {
    try {
      return f();
    } catch (e) {
      throw new VenueError({
        venue: 'aster',
        endpoint,
        code: 'BAD_BODY',
        category: 'bug',
        detail: msgOf(e),
        cause: e,
      });
    }
  }
}

function msgOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function codeOf(e: unknown, fallback: string): string {
  return e instanceof VenueError ? e.code : fallback;
}
