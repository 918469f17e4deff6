import { compareDecimal, formatToStep } from '@arb/core/decimal';
import type { OrderOutcome, OrderRequest } from '@arb/core/order';
import type {
  BalanceSnapshot,
  MarketRules,
  OpenOrderSnapshot,
  PlaceOrderOptions,
  PositionSnapshot,
  VenueClient,
} from '@arb/core/venue-client';
import { VenueError } from '@arb/net/venue-error';
import type { z } from 'zod';
import {
  BackpackAccountSchema,
  BackpackCapitalSchema,
  BackpackCollateralSchema,
  type BackpackFill,
  BackpackFillSchema,
  BackpackMarketSchema,
  BackpackOrderSchema,
  BackpackPositionSchema,
} from './backpack-types';
import { backpackClientId } from './client-id';
import { BACKPACK_HISTORY_LIMIT, BACKPACK_MARGIN_ASSET, BACKPACK_PATHS } from './constants';
import { DirectBackpackTransport } from './direct-transport';
import { isNotFound, unreadableBody } from './error-map';
import {
  type BackpackOrderState,
  decimalToNumber,
  type FeeTotal,
  isTerminal,
  openOrderSnapshot,
  orderOutcome,
  parseMarketRules,
  parseOrder,
  parsePosition,
  sideToWire,
  sumFills,
} from './parser';
import {
  type BackpackRestOptions,
  type BackpackRestTransport,
  endpointName,
  type HttpMethod,
  type RestCallOptions,
  type RestParams,
} from './rest-transport';

export interface BackpackVenueClientOptions extends BackpackRestOptions {
  /**
   * 'direct' (default: node:crypto + fetch, ~0.4 ms/order faster, see the bench in README) or 'ccxt'
   * (CCXT's backpack class, as the original bot; loaded on first use).
   */
  transport?: BackpackTransportKind;
  /** Attempts to read an order's fills (they can trail the order response); default 3. */
  fillLookupAttempts?: number;
  /** Pause between those attempts (ms); default 100. */
  fillLookupDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** A ready transport (tests inject one); overrides `transport`. */
  rest?: BackpackRestTransport;
}

export type BackpackTransportKind = BackpackRestTransport['kind'];

/**
 * The CCXT transport behind a dynamic import on first call: its module (CCXT's backpack class) costs
 * ~26 MB RSS, which only a process that chooses it should pay.
 */
class LazyCcxtTransport implements BackpackRestTransport {
  readonly kind = 'ccxt' as const;
  readonly #opts: BackpackRestOptions;
  #transport: Promise<BackpackRestTransport> | null = null;

  constructor(opts: BackpackRestOptions) {
    this.#opts = opts;
  }

  #load(): Promise<BackpackRestTransport> {
    if (!this.#transport) {
      const loading = import('./ccxt-transport').then((m) => new m.CcxtBackpackTransport(this.#opts));
      // A failed load is retried on the next call rather than remembered.
      loading.catch(() => {
        if (this.#transport === loading) this.#transport = null;
      });
      this.#transport = loading;
    }
    return this.#transport;
  }

  async call(
    method: HttpMethod,
    path: string,
    params: RestParams,
    isPrivate: boolean,
    opts?: RestCallOptions,
  ): Promise<unknown> {
    return (await this.#load()).call(method, path, params, isPrivate, opts);
  }

  async close(): Promise<void> {
    const t = this.#transport;
    this.#transport = null;
    if (t) await (await t).close();
  }
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Backpack perps behind the venue-neutral VenueClient: market/IOC orders with a uint32 clientId derived
 * from the product's client order id, final state from order history (the venue has no fetch-by-id for
 * orders that are no longer resting: they answer 404), fees from fill history, positions, collateral and
 * the account-wide leverage limit. Raw JSON is validated and parsed here; nothing of CCXT leaks out.
 */
export class BackpackVenueClient implements VenueClient {
  readonly venue = 'backpack' as const;
  readonly #rest: BackpackRestTransport;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #fillAttempts: number;
  readonly #fillDelayMs: number;
  readonly #rules = new Map<string, MarketRules>();
  #takerFeeBps: number | null = null;

  constructor(opts: BackpackVenueClientOptions) {
    this.#rest =
      opts.rest ??
      (opts.transport === 'ccxt' ? new LazyCcxtTransport(opts) : new DirectBackpackTransport(opts));
    this.#now = opts.now ?? Date.now;
    this.#sleep = opts.sleep ?? defaultSleep;
    this.#fillAttempts = opts.fillLookupAttempts ?? 3;
    this.#fillDelayMs = opts.fillLookupDelayMs ?? 100;
  }

  get transportKind(): 'ccxt' | 'direct' {
    return this.#rest.kind;
  }

  async marketRules(symbol: string): Promise<MarketRules> {
    const cached = this.#rules.get(symbol);
    if (cached) return cached;
    const rows = await this.#get(BACKPACK_PATHS.markets, {}, false, BackpackMarketSchema.array());
    for (const row of rows) this.#rules.set(row.symbol, parseMarketRules(row));
    const rules = this.#rules.get(symbol);
    if (!rules) {
      throw new VenueError({
        venue: 'backpack',
        endpoint: endpointName('GET', BACKPACK_PATHS.markets),
        code: 'INVALID_SYMBOL',
        category: 'config',
        detail: `no market ${symbol}`,
      });
    }
    return rules;
  }

  /** Builds the exact JSON body of one order (exported shape for tests and the bench). */
  async orderBody(req: OrderRequest): Promise<RestParams> {
    const rules = await this.marketRules(req.symbol);
    const body: RestParams = {
      symbol: req.symbol,
      side: sideToWire(req.side),
      orderType: req.limitPrice === undefined ? 'Market' : 'Limit',
      quantity: formatToStep(req.qty, rules.stepSize, 'down'),
      clientId: backpackClientId(req.clientOrderId),
      reduceOnly: req.reduceOnly,
      timeInForce: 'IOC',
    };
    if (req.limitPrice !== undefined) {
      // Worst acceptable price, rounded to the tick on the safe side (buy down, sell up).
      body.price = formatToStep(req.limitPrice, rules.tickSize, req.side === 'buy' ? 'down' : 'up');
    }
    return body;
  }

  async placeOrder(req: OrderRequest, opts: PlaceOrderOptions = {}): Promise<OrderOutcome> {
    const base = { venue: 'backpack' as const, clientOrderId: req.clientOrderId };
    let body: RestParams;
    try {
      body = await this.orderBody(req);
    } catch (e) {
      return { ...base, kind: 'rejected', code: codeOf(e, 'RULES_UNAVAILABLE'), reason: messageOf(e) };
    }
    const rules = await this.marketRules(req.symbol);
    if (compareDecimal(formatToStep(req.qty, rules.stepSize, 'down'), rules.minQty) < 0) {
      return {
        ...base,
        kind: 'rejected',
        code: 'QTY_BELOW_MIN',
        reason: `qty ${req.qty} < min ${rules.minQty}`,
      };
    }
    let order: BackpackOrderState;
    try {
      const raw = await this.#rest.call('POST', BACKPACK_PATHS.order, body, true, opts);
      order = parseOrder(
        this.#validate(BackpackOrderSchema, raw, endpointName('POST', BACKPACK_PATHS.order)),
      );
    } catch (e) {
      return sendFailureOutcome(e, req.clientOrderId);
    }
    try {
      if (!isTerminal(order.status)) {
        // A market/IOC order's HTTP 200 is its execution report; a resting state would be odd: re-read it.
        const again = await this.findOrder(req.symbol, req.clientOrderId);
        return again ?? { ...base, kind: 'unknown', reason: `order ${order.venueOrderId} ${order.status}` };
      }
      const fees = order.executedQty > 0 ? await this.#fees(order) : null;
      return orderOutcome(order, fees, req.clientOrderId, this.#now());
    } catch (e) {
      // The order executed (we hold its report) but its fee lookup failed: never turn that into "failed".
      if (order.executedQty > 0) {
        return orderOutcome(order, await this.#estimatedFee(order), req.clientOrderId, this.#now());
      }
      return { ...base, kind: 'unknown', reason: `order ${order.venueOrderId}: ${messageOf(e)}` };
    }
  }

  async findOrder(symbol: string, clientOrderId: string): Promise<OrderOutcome | null> {
    const clientId = backpackClientId(clientOrderId);
    const open = await this.#openOrderByClientId(symbol, clientId);
    if (open) return orderOutcome(open, null, clientOrderId, this.#now());
    const history = await this.#get(
      BACKPACK_PATHS.orderHistory,
      { symbol, limit: BACKPACK_HISTORY_LIMIT },
      true,
      BackpackOrderSchema.array(),
    );
    const matches = history.map(parseOrder).filter((o) => o.clientId === clientId);
    // Newest first (history order is not relied on).
    matches.sort(
      (a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0) || Number(b.venueOrderId) - Number(a.venueOrderId),
    );
    const found = matches[0];
    if (!found) return null;
    const fees = found.executedQty > 0 && isTerminal(found.status) ? await this.#fees(found) : null;
    return orderOutcome(found, fees, clientOrderId, this.#now());
  }

  async cancelOrder(symbol: string, clientOrderId: string): Promise<void> {
    try {
      // 200 = cancelled; 202 = accepted, not yet executed (a later findOrder tells the end state).
      await this.#rest.call(
        'DELETE',
        BACKPACK_PATHS.order,
        { symbol, clientId: backpackClientId(clientOrderId) },
        true,
      );
    } catch (e) {
      if (isNotFound(e)) return; // not resting: already filled, expired or cancelled
      throw e;
    }
  }

  async position(symbol: string): Promise<PositionSnapshot> {
    const [rows, account] = await Promise.all([
      this.#get(BACKPACK_PATHS.position, {}, true, BackpackPositionSchema.array()).catch((e: unknown) => {
        if (isNotFound(e)) return []; // some deployments answer 404 for "no positions"
        throw e;
      }),
      this.#account(),
    ]);
    const leverage = decimalToNumber(account.leverageLimit, 'leverageLimit');
    return parsePosition(
      rows.find((r) => r.symbol === symbol),
      symbol,
      leverage,
    );
  }

  async openOrders(symbol: string): Promise<OpenOrderSnapshot[]> {
    const rows = await this.#get(BACKPACK_PATHS.orders, { symbol }, true, BackpackOrderSchema.array());
    return rows
      .map(parseOrder)
      .map((o) => openOrderSnapshot(o, o.clientId === null ? null : String(o.clientId)));
  }

  async balance(): Promise<BalanceSnapshot> {
    try {
      const c = await this.#get(BACKPACK_PATHS.collateral, {}, true, BackpackCollateralSchema);
      return {
        venue: 'backpack',
        asset: BACKPACK_MARGIN_ASSET,
        equity: decimalToNumber(c.netEquity, 'netEquity'),
        available: decimalToNumber(c.netEquityAvailable, 'netEquityAvailable'),
      };
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    // Fallback: spot capital of the margin asset.
    const cap = await this.#get(BACKPACK_PATHS.capital, {}, true, BackpackCapitalSchema);
    const usdc = cap[BACKPACK_MARGIN_ASSET];
    const available = usdc ? decimalToNumber(usdc.available, 'available') : 0;
    const locked = usdc ? decimalToNumber(usdc.locked, 'locked') : 0;
    return { venue: 'backpack', asset: BACKPACK_MARGIN_ASSET, equity: available + locked, available };
  }

  /** Leverage is account-wide on Backpack: PATCH /api/v1/account {leverageLimit}, then read it back. */
  async ensureLeverage(_symbol: string, leverage: number): Promise<number> {
    await this.#rest.call('PATCH', BACKPACK_PATHS.account, { leverageLimit: String(leverage) }, true);
    const account = await this.#account();
    return decimalToNumber(account.leverageLimit, 'leverageLimit');
  }

  async close(): Promise<void> {
    await this.#rest.close();
  }

  async #account() {
    const account = await this.#get(BACKPACK_PATHS.account, {}, true, BackpackAccountSchema);
    if (account.futuresTakerFee != null)
      this.#takerFeeBps = decimalToNumber(account.futuresTakerFee, 'futuresTakerFee');
    return account;
  }

  async #openOrderByClientId(symbol: string, clientId: number): Promise<BackpackOrderState | null> {
    try {
      const raw = await this.#get(BACKPACK_PATHS.order, { symbol, clientId }, true, BackpackOrderSchema);
      return parseOrder(raw);
    } catch (e) {
      if (isNotFound(e)) return null; // not resting (filled/expired/cancelled) or never seen
      throw e;
    }
  }

  /** Fee of one order from its fills; fills can trail the order report, so retry until they add up. */
  async #fees(order: BackpackOrderState): Promise<FeeTotal> {
    let last: FeeTotal | null = null;
    for (let attempt = 1; attempt <= this.#fillAttempts; attempt++) {
      const rows: BackpackFill[] = await this.#get(
        BACKPACK_PATHS.fillHistory,
        { orderId: order.venueOrderId, symbol: order.symbol, limit: BACKPACK_HISTORY_LIMIT },
        true,
        BackpackFillSchema.array(),
      );
      last = sumFills(rows.filter((f) => String(f.orderId) === order.venueOrderId));
      if (last.filledQty >= order.executedQty - 1e-12) return last;
      if (attempt < this.#fillAttempts) await this.#sleep(this.#fillDelayMs);
    }
    return this.#estimatedFee(order);
  }

  /** When fills are not visible: the account's taker fee (bps) applied to the executed notional. */
  async #estimatedFee(order: BackpackOrderState): Promise<FeeTotal> {
    if (this.#takerFeeBps === null) {
      try {
        await this.#account();
      } catch {
        // keep null: fee stays 0 below, flagged by feeAsset
      }
    }
    const bps = this.#takerFeeBps;
    return {
      fee: bps === null ? 0 : (order.executedQuote * bps) / 10_000,
      feeAsset: BACKPACK_MARGIN_ASSET,
      lastFillAt: null,
      filledQty: order.executedQty,
    };
  }

  async #get<S extends z.ZodType>(
    path: string,
    params: RestParams,
    isPrivate: boolean,
    schema: S,
  ): Promise<z.infer<S>> {
    const method: HttpMethod = 'GET';
    const raw = await this.#rest.call(method, path, params, isPrivate);
    return this.#validate(schema, raw, endpointName(method, path));
  }

  #validate<S extends z.ZodType>(schema: S, raw: unknown, endpoint: string): z.infer<S> {
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      throw unreadableBody(
        endpoint,
        `${parsed.error.issues[0]?.message ?? 'invalid'}: ${JSON.stringify(raw)?.slice(0, 200)}`,
      );
    }
    return parsed.data;
  }
}

/**
 * A failed POST /order -> outcome. The venue refusing (4xx with a code), our budget or keys refusing, or a
 * connection that was never made: nothing executed -> rejected with that code. Timeout, 5xx, reset, or a
 * 200 we cannot read: it may have executed -> unknown.
 */
export function sendFailureOutcome(e: unknown, clientOrderId: string): OrderOutcome {
  const base = { venue: 'backpack' as const, clientOrderId };
  if (e instanceof VenueError) {
    switch (e.category) {
      case 'rejected':
      case 'rate_limited':
      case 'auth':
      case 'config':
      case 'unavailable':
        return { ...base, kind: 'rejected', ...e.rejection() };
      case 'unknown':
      case 'bug':
        return { ...base, kind: 'unknown', reason: e.message };
    }
  }
  return { ...base, kind: 'unknown', reason: messageOf(e) };
}

function codeOf(e: unknown, fallback: string): string {
  return e instanceof VenueError ? e.code : fallback;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
