import type { MarketBook, MarketModel } from '../market/market-model';
import type { SimClock } from './clock';
import { legsQty, walkBook } from './matching';
import { isMultipleOf, money, qty as roundQty, roundTo, stepsOf } from './decimal';
import { applyFill, type NetPosition, positionIncrease, unrealizedPnl } from './position-math';
import type {
  SimBalance,
  SimBook,
  SimFill,
  SimLevel,
  SimMarketRules,
  SimOrder,
  SimOrderInput,
  SimOrderRef,
  SimPlaceResult,
  SimPosition,
  SimRejectReason,
  SimTicker24h,
  SimVenue,
  SimVenueEngine,
} from './types';

/** Where the engine asks whether an order must be rejected by an injected fault. */
export interface OrderRejectSource {
  takeOrderReject(venue: SimVenue): { reason: SimRejectReason; message: string } | null;
}

export interface VenueEngineOptions {
  venue: SimVenue;
  rules: SimMarketRules;
  marginAsset: string;
  market: MarketModel;
  clock: SimClock;
  faults?: OrderRejectSource;
  /** Wallet balance of a new account, in the margin asset. */
  startingBalance: number;
  /** Leverage of a new account. */
  defaultLeverage: number;
  /** 24h volume reported before any simulated trade (base units). */
  baselineVolume: number;
}

interface Account {
  id: string;
  wallet: number;
  position: NetPosition;
  realizedPnl: number;
  leverage: number;
  marginType: 'cross' | 'isolated';
  orders: SimOrder[];
  /** Open (resting) orders, in placement order. */
  open: Set<SimOrder>;
  byId: Map<number, SimOrder>;
  /** Latest order per client order id. */
  byClientId: Map<string, SimOrder>;
  fills: SimFill[];
}

export interface SimReject {
  account: string;
  input: SimOrderInput;
  reason: SimRejectReason;
  message: string;
  time: number;
}

const ORDER_ID_BASE: Record<SimVenue, number> = { aster: 2_000_000_000, backpack: 1_100_000_000_000 };
const TRADE_ID_BASE: Record<SimVenue, number> = { aster: 300_000_000, backpack: 90_000_000 };

const reject = (reason: SimRejectReason, message: string): SimPlaceResult => ({ ok: false, reason, message });

/**
 * One venue's engine: the book (the market model's depth minus liquidity taken since its last change),
 * matching, and per-account orders, fills, positions and balances.
 *
 * Behaviour choices (documented for the front-ends):
 * - Reduce-only: an order that would open or grow a position (flat, or same side) is rejected
 *   'reduce_only_rejected' (Aster -2022); a quantity above the position is CLIPPED to it and the order
 *   reports the clipped quantity (both venues close at most the position).
 * - Market and IOC orders walk depth, one fill per level; an IOC remainder expires ('ImmediateOrCancel'),
 *   a market order that exhausts the book expires ('InsufficientLiquidity'); FOK fills fully or expires
 *   with no fill ('FillOrKill'). GTC limits take what crosses, then rest and fill as maker (at their own
 *   price) when a later book crosses them. Resting orders are not shown in the published book.
 * - Liquidity taken by fills stays taken until the market model's next change of that venue's book.
 */
export class VenueEngine implements SimVenueEngine {
  readonly venue: SimVenue;
  readonly rules: SimMarketRules;
  readonly marginAsset: string;
  readonly #opts: VenueEngineOptions;
  readonly #accounts = new Map<string, Account>();
  readonly #listeners = new Set<(book: SimBook) => void>();
  readonly #rejects: SimReject[] = [];
  /** Qty taken per "b:<price>" / "a:<price>" since the last market change. */
  #taken = new Map<string, number>();
  #marketBook: MarketBook;
  #updateId = 0;
  #bookTime: number;
  #nextOrderId: number;
  #nextTradeId: number;
  #stats = { open: 0, high: 0, low: 0, volume: 0, quoteVolume: 0, trades: 0, openTime: 0 };
  readonly #unsubscribe: () => void;

  constructor(opts: VenueEngineOptions) {
    this.#opts = opts;
    this.venue = opts.venue;
    this.rules = opts.rules;
    this.marginAsset = opts.marginAsset;
    this.#nextOrderId = ORDER_ID_BASE[opts.venue];
    this.#nextTradeId = TRADE_ID_BASE[opts.venue];
    this.#marketBook = opts.market.book(opts.venue);
    this.#bookTime = this.#marketBook.time;
    const mid = this.#marketBook.mid;
    this.#stats = { ...this.#stats, open: mid, high: mid, low: mid, openTime: opts.clock.now() };
    this.#unsubscribe = opts.market.onBook(opts.venue, (b) => this.#onMarketBook(b));
  }

  close(): void {
    this.#unsubscribe();
    this.#listeners.clear();
  }

  now(): number {
    return this.#opts.clock.now();
  }

  #sync(): void {
    this.#opts.market.advanceTo(this.#opts.clock.now());
  }

  book(depth?: number): SimBook {
    this.#sync();
    return this.#currentBook(depth);
  }

  #currentBook(depth?: number): SimBook {
    const apply = (levels: SimLevel[], prefix: string): SimLevel[] => {
      const out: SimLevel[] = [];
      for (const l of levels) {
        const left = roundQty(l.qty - (this.#taken.get(prefix + l.price) ?? 0));
        if (left > 0) out.push({ price: l.price, qty: left });
        if (depth !== undefined && out.length >= depth) break;
      }
      return out;
    };
    return {
      bids: apply(this.#marketBook.bids, 'b:'),
      asks: apply(this.#marketBook.asks, 'a:'),
      updateId: this.#updateId,
      time: this.#bookTime,
    };
  }

  onBook(listener: (book: SimBook) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  markPrice(): number {
    this.#sync();
    return this.#marketBook.mid;
  }

  ticker24h(): SimTicker24h {
    this.#sync();
    const now = this.now();
    const s = this.#stats;
    return {
      open: s.open,
      high: s.high,
      low: s.low,
      last: this.#marketBook.mid,
      volume: roundQty(this.#opts.baselineVolume + s.volume),
      quoteVolume: money(this.#opts.baselineVolume * s.open + s.quoteVolume),
      trades: s.trades,
      openTime: Math.max(s.openTime, now - 86_400_000),
      closeTime: now,
    };
  }

  // ---- orders ---------------------------------------------------------------------------------------

  placeOrder(accountId: string, input: SimOrderInput): SimPlaceResult {
    this.#sync();
    const result = this.#place(accountId, input);
    if (!result.ok) {
      this.#rejects.push({
        account: accountId,
        input: { ...input },
        reason: result.reason,
        message: result.message,
        time: this.now(),
      });
    }
    return result;
  }

  #place(accountId: string, input: SimOrderInput): SimPlaceResult {
    const r = this.rules;
    const acct = this.#account(accountId);
    const isMarket = input.type === 'market';
    let qty = input.qty;
    if (!(qty > 0) || !isMultipleOf(qty, r.stepSize)) {
      return reject('qty_not_step', `quantity ${qty} is not a positive multiple of ${r.stepSize}`);
    }
    if (qty < r.minQty) return reject('qty_below_min', `quantity ${qty} is below the minimum ${r.minQty}`);
    const maxQty = isMarket ? r.marketMaxQty : r.maxQty;
    if (qty > maxQty) return reject('qty_above_max', `quantity ${qty} is above the maximum ${maxQty}`);
    if (!isMarket) {
      if (input.price === undefined || !(input.price > 0))
        return reject('price_not_tick', 'a limit order needs a price');
      if (!isMultipleOf(input.price, r.tickSize)) {
        return reject('price_not_tick', `price ${input.price} is not a multiple of ${r.tickSize}`);
      }
    }
    const refPrice = isMarket ? this.#marketBook.mid : (input.price as number);
    if (r.minNotional > 0 && !input.reduceOnly && qty * refPrice < r.minNotional) {
      return reject(
        'min_notional',
        `notional ${money(qty * refPrice)} is below the minimum ${r.minNotional}`,
      );
    }
    const injected = this.#opts.faults?.takeOrderReject(this.venue) ?? null;
    if (injected) return reject(injected.reason, injected.message);
    if (input.clientOrderId !== null) {
      const dup = acct.byClientId.get(input.clientOrderId);
      if (dup && isOpen(dup))
        return reject('duplicate_client_order_id', `client order id ${input.clientOrderId} is already open`);
    }
    if (input.reduceOnly) {
      const pos = acct.position.qty;
      const reduces = input.side === 'buy' ? pos < 0 : pos > 0;
      if (!reduces) return reject('reduce_only_rejected', 'reduce-only order would not reduce the position');
      qty = Math.min(qty, Math.abs(pos));
    }
    const book = this.#currentBook();
    const opposite = input.side === 'buy' ? book.asks : book.bids;
    if (isMarket && opposite.length === 0) return reject('no_liquidity', 'no liquidity on the opposite side');
    // Margin: the part that grows the position needs notional / leverage, plus the taker fee.
    const increase = positionIncrease(acct.position.qty, input.side, qty);
    if (increase > 0) {
      const estPrice = isMarket
        ? (opposite[Math.min(opposite.length - 1, 4)]?.price ?? refPrice)
        : (input.price as number);
      const needed = (increase * estPrice) / acct.leverage + qty * estPrice * r.takerFee;
      const available = this.#balanceOf(acct).available;
      if (needed > available) {
        return reject('insufficient_margin', `margin ${money(needed)} exceeds available ${money(available)}`);
      }
    }
    const now = this.now();
    const order: SimOrder = {
      ...input,
      qty,
      orderId: this.#nextOrderId++,
      account: acct.id,
      symbol: r.symbol,
      status: 'new',
      executedQty: 0,
      executedQuote: 0,
      avgPrice: 0,
      fee: 0,
      createdAt: now,
      updatedAt: now,
      expiryReason: null,
    };
    acct.orders.push(order);
    acct.byId.set(order.orderId, order);
    if (order.clientOrderId !== null) acct.byClientId.set(order.clientOrderId, order);
    const limit = isMarket ? undefined : input.price;
    const legs = walkBook(opposite, input.side, qty, limit);
    const fillable = legsQty(legs);
    if (input.tif === 'FOK' && stepsOf(fillable, r.stepSize) < stepsOf(qty, r.stepSize)) {
      this.#finish(order, 'expired', 'FillOrKill');
      return { ok: true, order: { ...order } };
    }
    for (const leg of legs) this.#fill(acct, order, leg.price, leg.qty, false);
    if (legs.length > 0) {
      this.#bookTime = now;
      this.#publish();
    }
    if (this.#filledAll(order)) {
      this.#finish(order, 'filled', null);
    } else if (isMarket) {
      this.#finish(order, 'expired', 'InsufficientLiquidity');
    } else if (input.tif !== 'GTC') {
      this.#finish(order, 'expired', 'ImmediateOrCancel');
    } else {
      acct.open.add(order);
    }
    return { ok: true, order: { ...order } };
  }

  cancelOrder(accountId: string, ref: SimOrderRef): SimOrder | null {
    this.#sync();
    const order = this.#find(accountId, ref, true);
    if (!order) return null;
    this.#finish(order, 'canceled', null);
    return { ...order };
  }

  getOrder(accountId: string, ref: SimOrderRef): SimOrder | null {
    this.#sync();
    const order = this.#find(accountId, ref, false);
    return order ? { ...order } : null;
  }

  openOrders(accountId: string): SimOrder[] {
    this.#sync();
    return [...this.#account(accountId).open].map((o) => ({ ...o })).reverse();
  }

  orderHistory(accountId: string): SimOrder[] {
    this.#sync();
    return this.#account(accountId)
      .orders.map((o) => ({ ...o }))
      .reverse();
  }

  fills(accountId: string): SimFill[] {
    this.#sync();
    return this.#account(accountId)
      .fills.map((f) => ({ ...f }))
      .reverse();
  }

  position(accountId: string): SimPosition {
    this.#sync();
    const acct = this.#account(accountId);
    const mark = this.#marketBook.mid;
    return {
      symbol: this.rules.symbol,
      qty: acct.position.qty,
      entryPrice: roundTo(acct.position.entryPrice, 8),
      markPrice: mark,
      unrealizedPnl: unrealizedPnl(acct.position, mark),
      realizedPnl: money(acct.realizedPnl),
      leverage: acct.leverage,
      marginType: acct.marginType,
    };
  }

  balance(accountId: string): SimBalance {
    this.#sync();
    return this.#balanceOf(this.#account(accountId));
  }

  setLeverage(accountId: string, leverage: number): number | null {
    if (!Number.isInteger(leverage) || leverage < 1 || leverage > this.rules.maxLeverage) return null;
    this.#account(accountId).leverage = leverage;
    return leverage;
  }

  setMarginType(accountId: string, marginType: 'cross' | 'isolated'): void {
    this.#account(accountId).marginType = marginType;
  }

  // ---- admin (not part of SimVenueEngine) -----------------------------------------------------------

  accountIds(): string[] {
    return [...this.#accounts.keys()];
  }

  /** Every order of every account (or one account), newest first. */
  allOrders(accountId?: string): SimOrder[] {
    this.#sync();
    const accts = accountId === undefined ? [...this.#accounts.values()] : [this.#account(accountId)];
    return accts
      .flatMap((a) => a.orders)
      .map((o) => ({ ...o }))
      .sort((a, b) => b.orderId - a.orderId);
  }

  allFills(accountId?: string): SimFill[] {
    this.#sync();
    const accts = accountId === undefined ? [...this.#accounts.values()] : [this.#account(accountId)];
    return accts
      .flatMap((a) => a.fills)
      .map((f) => ({ ...f }))
      .sort((a, b) => b.tradeId - a.tradeId);
  }

  rejects(): SimReject[] {
    return this.#rejects.map((r) => ({ ...r }));
  }

  setWallet(accountId: string, wallet: number): void {
    this.#account(accountId).wallet = money(wallet);
  }

  /** Sets a position directly (e.g. "startup with an unknown position"); realized PnL is untouched. */
  setPosition(accountId: string, qty: number, entryPrice: number): void {
    const q = roundQty(qty);
    this.#account(accountId).position = { qty: q, entryPrice: q === 0 ? 0 : entryPrice };
  }

  resetAccount(accountId: string): void {
    this.#accounts.delete(accountId);
  }

  resetAll(): void {
    this.#accounts.clear();
    this.#rejects.length = 0;
  }

  // ---- internals ------------------------------------------------------------------------------------

  #account(id: string): Account {
    let acct = this.#accounts.get(id);
    if (!acct) {
      acct = {
        id,
        wallet: this.#opts.startingBalance,
        position: { qty: 0, entryPrice: 0 },
        realizedPnl: 0,
        leverage: this.#opts.defaultLeverage,
        marginType: 'cross',
        orders: [],
        open: new Set(),
        byId: new Map(),
        byClientId: new Map(),
        fills: [],
      };
      this.#accounts.set(id, acct);
    }
    return acct;
  }

  #find(accountId: string, ref: SimOrderRef, openOnly: boolean): SimOrder | undefined {
    const acct = this.#account(accountId);
    const o = 'orderId' in ref ? acct.byId.get(ref.orderId) : acct.byClientId.get(ref.clientOrderId);
    if (!o || (openOnly && !isOpen(o))) return undefined;
    return o;
  }

  #balanceOf(acct: Account): SimBalance {
    const mark = this.#marketBook.mid;
    const upnl = unrealizedPnl(acct.position, mark);
    let im = (Math.abs(acct.position.qty) * mark) / acct.leverage;
    for (const o of acct.open) {
      im += ((o.qty - o.executedQty) * (o.price ?? mark)) / acct.leverage;
    }
    const wallet = money(acct.wallet);
    return {
      asset: this.marginAsset,
      wallet,
      unrealizedPnl: upnl,
      initialMargin: money(im),
      available: money(wallet + upnl - im),
    };
  }

  #fill(acct: Account, order: SimOrder, price: number, qty: number, isMaker: boolean): void {
    const rate = isMaker ? this.rules.makerFee : this.rules.takerFee;
    const fee = money(qty * price * rate);
    const effect = applyFill(acct.position, order.side, qty, price);
    acct.position = effect.position;
    acct.realizedPnl = money(acct.realizedPnl + effect.realizedPnl);
    acct.wallet = money(acct.wallet + effect.realizedPnl - fee);
    const now = this.now();
    order.executedQty = roundQty(order.executedQty + qty);
    order.executedQuote = money(order.executedQuote + qty * price);
    order.avgPrice = roundTo(order.executedQuote / order.executedQty, 8);
    order.fee = money(order.fee + fee);
    order.updatedAt = now;
    if (!this.#filledAll(order)) order.status = 'partially_filled';
    acct.fills.push({
      tradeId: this.#nextTradeId++,
      orderId: order.orderId,
      clientOrderId: order.clientOrderId,
      account: acct.id,
      symbol: this.rules.symbol,
      side: order.side,
      price,
      qty,
      fee,
      feeAsset: this.marginAsset,
      isMaker,
      realizedPnl: effect.realizedPnl,
      time: now,
    });
    const key = (order.side === 'buy' ? 'a:' : 'b:') + price;
    this.#taken.set(key, roundQty((this.#taken.get(key) ?? 0) + qty));
    this.#stats.volume += qty;
    this.#stats.quoteVolume += qty * price;
    this.#stats.trades += 1;
  }

  /**
   * Executed covers requested, compared in whole steps (exact): a quantity that is a step multiple only
   * up to float rounding (0.0014900000000000002) is complete at 0.00149.
   */
  #filledAll(order: SimOrder): boolean {
    return stepsOf(order.executedQty, this.rules.stepSize) >= stepsOf(order.qty, this.rules.stepSize);
  }

  #finish(order: SimOrder, status: SimOrder['status'], reason: string | null): void {
    this.#accounts.get(order.account)?.open.delete(order);
    order.status = status;
    order.expiryReason = reason;
    order.updatedAt = this.now();
  }

  #onMarketBook(book: MarketBook): void {
    this.#marketBook = book;
    this.#bookTime = book.time;
    this.#taken = new Map();
    const s = this.#stats;
    if (book.mid > s.high) s.high = book.mid;
    if (book.mid < s.low) s.low = book.mid;
    this.#matchResting();
    if (this.#opts.market.catchingUp) {
      this.#updateId += 1;
      return;
    }
    this.#publish();
  }

  /** Fills resting GTC orders the new book crosses, as maker, at their own limit price. */
  #matchResting(): void {
    const resting: { acct: Account; order: SimOrder }[] = [];
    for (const acct of this.#accounts.values()) {
      for (const order of acct.open) resting.push({ acct, order });
    }
    if (resting.length === 0) return;
    resting.sort((x, y) => {
      const px = x.order.price ?? 0;
      const py = y.order.price ?? 0;
      if (x.order.side !== y.order.side) return x.order.side === 'buy' ? -1 : 1;
      if (px !== py) return x.order.side === 'buy' ? py - px : px - py;
      return x.order.orderId - y.order.orderId;
    });
    for (const { acct, order } of resting) {
      let want = roundQty(order.qty - order.executedQty);
      if (order.reduceOnly) {
        const pos = acct.position.qty;
        const reduces = order.side === 'buy' ? pos < 0 : pos > 0;
        if (!reduces) {
          this.#finish(order, 'expired', 'ReduceOnlyNotReduced');
          continue;
        }
        want = Math.min(want, Math.abs(pos));
      }
      const book = this.#currentBook();
      const levels = order.side === 'buy' ? book.asks : book.bids;
      const legs = walkBook(levels, order.side, want, order.price);
      const take = legsQty(legs);
      if (take <= 0) continue;
      // Consume the crossed levels, but fill at the resting order's own price (it was there first).
      for (const leg of legs) {
        const key = (order.side === 'buy' ? 'a:' : 'b:') + leg.price;
        this.#taken.set(key, roundQty((this.#taken.get(key) ?? 0) + leg.qty));
      }
      this.#makerFill(acct, order, order.price as number, take);
      if (this.#filledAll(order)) this.#finish(order, 'filled', null);
      else if (order.reduceOnly && acct.position.qty === 0)
        this.#finish(order, 'expired', 'ReduceOnlyNotReduced');
    }
  }

  #makerFill(acct: Account, order: SimOrder, price: number, qty: number): void {
    const before = new Map(this.#taken);
    this.#fill(acct, order, price, qty, true);
    // #fill books taken liquidity at the fill price; the walk above already booked the real levels.
    this.#taken = before;
  }

  #publish(): void {
    this.#updateId += 1;
    if (this.#listeners.size === 0) return;
    const book = this.#currentBook();
    for (const l of this.#listeners) l(book);
  }
}

function isOpen(o: SimOrder): boolean {
  return o.status === 'new' || o.status === 'partially_filled';
}
