import type { SimFill, SimOrder, SimVenueEngine } from '../engine/types';
import { positionId, worstCaseExposure } from './account-json';
import { BACKPACK_MARKET_FACTS } from './constants';
import { expiryReasonText, type OrderExtras, orderStatusText } from './order-json';
import type { WirePrecision } from './wire-precision';

/**
 * Private stream events (`account.orderUpdate`, `account.positionUpdate`) derived from the engine's state:
 * the engine has no event feed, so each poll diffs an account's open orders, new fills and position
 * against what was last reported. Payload keys as the OpenAPI `Streams` samples; times in µs.
 */

export interface AccountEvents {
  orders: Record<string, unknown>[];
  positions: Record<string, unknown>[];
}

interface Reported {
  executedQty: number;
  /** Its final state (or last fill) has been reported. */
  final: boolean;
}

interface AccountState {
  /** Orders already announced (orderAccepted), by id; final ones are pruned beyond MAX_REPORTED. */
  reported: Map<number, Reported>;
  lastTradeId: number;
  positionQty: number;
}

const MAX_REPORTED = 5000;

const FINAL_EVENTS: Partial<Record<SimOrder['status'], string>> = {
  canceled: 'orderCancelled',
  expired: 'orderExpired',
  rejected: 'orderExpired',
};

export class AccountStreamTracker {
  private readonly accounts = new Map<string, AccountState>();

  constructor(
    private readonly engine: SimVenueEngine,
    private readonly wp: WirePrecision,
    private readonly extrasOf: (orderId: number) => OrderExtras,
  ) {}

  /** Starts tracking an account from its current state (no events for what already happened). */
  track(account: string): void {
    if (this.accounts.has(account)) return;
    const reported = new Map<number, Reported>();
    for (const o of this.engine.openOrders(account))
      reported.set(o.orderId, { executedQty: o.executedQty, final: false });
    this.accounts.set(account, {
      reported,
      lastTradeId: this.engine.fills(account)[0]?.tradeId ?? 0,
      positionQty: this.engine.position(account).qty,
    });
  }

  untrack(account: string): void {
    this.accounts.delete(account);
  }

  get trackedAccounts(): string[] {
    return [...this.accounts.keys()];
  }

  /**
   * The events since the last poll, oldest first. `restingOnly`: the caller only knows the book changed, which
   * can fill resting orders and nothing else, so an account without unfinished orders is skipped cheaply.
   */
  poll(account: string, restingOnly = false): AccountEvents {
    const st = this.accounts.get(account);
    const out: AccountEvents = { orders: [], positions: [] };
    if (!st) return out;
    if (restingOnly && ![...st.reported.values()].some((r) => !r.final)) return out;
    const engine = this.engine;
    engine.book(); // one market sync up front, so the reads below see one state as far as possible
    const newFills: SimFill[] = [];
    for (const f of engine.fills(account)) {
      if (f.tradeId <= st.lastTradeId) break;
      newFills.push(f);
    }
    newFills.reverse();
    const openNow = new Map(engine.openOrders(account).map((o) => [o.orderId, o]));
    const pending = [...st.reported].filter(([, r]) => !r.final).map(([id]) => id);
    const ids = new Set<number>([...pending, ...openNow.keys(), ...newFills.map((f) => f.orderId)]);
    const nowUs = Math.round(engine.now() * 1000);
    for (const id of [...ids].sort((a, b) => a - b)) {
      const order = openNow.get(id) ?? engine.getOrder(account, { orderId: id });
      if (order === null) continue;
      let rep = st.reported.get(id);
      if (rep === undefined) {
        out.orders.push(this.orderEvent('orderAccepted', order, 'New', 0, 0, nowUs));
        rep = { executedQty: 0, final: false };
        st.reported.set(id, rep);
      }
      let quote = 0;
      for (const f of newFills) {
        if (f.orderId !== id) continue;
        rep.executedQty += f.qty;
        quote += f.qty * f.price;
        const status = rep.executedQty + 1e-12 >= order.qty ? 'Filled' : 'PartiallyFilled';
        out.orders.push({
          ...this.orderEvent('orderFill', order, status, rep.executedQty, quote, nowUs),
          t: f.tradeId,
          l: this.wp.qty(f.qty),
          L: this.wp.price(f.price),
          m: f.isMaker,
          n: this.wp.amount(f.fee),
          N: f.feeAsset,
        });
      }
      const isOpen = order.status === 'new' || order.status === 'partially_filled';
      if (!isOpen && !rep.final) {
        rep.final = true;
        const finalEvent = FINAL_EVENTS[order.status];
        if (finalEvent !== undefined) {
          const status = orderStatusText(order.status);
          const event = this.orderEvent(
            finalEvent,
            order,
            status,
            order.executedQty,
            order.executedQuote,
            nowUs,
          );
          if (finalEvent === 'orderExpired') event.R = expiryReasonText(order);
          out.orders.push(event);
        }
      }
    }
    if (st.reported.size > MAX_REPORTED) {
      for (const [id, r] of st.reported) {
        if (st.reported.size <= MAX_REPORTED) break;
        if (r.final) st.reported.delete(id);
      }
    }
    if (newFills.length > 0) st.lastTradeId = newFills[newFills.length - 1]?.tradeId ?? st.lastTradeId;
    const position = engine.position(account);
    if (position.qty !== st.positionQty) {
      const event =
        st.positionQty === 0 ? 'positionOpened' : position.qty === 0 ? 'positionClosed' : 'positionAdjusted';
      out.positions.push(this.positionEvent(event, account, nowUs));
      st.positionQty = position.qty;
    }
    return out;
  }

  /** The message sent on subscription to account.positionUpdate: current open positions, without `e`. */
  positionSnapshot(account: string): Record<string, unknown>[] {
    if (this.engine.position(account).qty === 0) return [];
    const { e: _event, ...rest } = this.positionEvent('', account, Math.round(this.engine.now() * 1000));
    return [rest];
  }

  private orderEvent(
    event: string,
    order: SimOrder,
    status: string,
    executed: number,
    executedQuote: number,
    nowUs: number,
  ): Record<string, unknown> {
    const wp = this.wp;
    const extras = this.extrasOf(order.orderId);
    const data: Record<string, unknown> = { e: event, E: nowUs, s: order.symbol };
    if (order.clientOrderId !== null) data.c = Number(order.clientOrderId);
    data.S = order.side === 'buy' ? 'Bid' : 'Ask';
    data.o = order.type === 'market' ? 'MARKET' : 'LIMIT';
    data.f = order.tif;
    data.q = wp.qty(order.qty);
    if (order.type === 'limit') data.p = wp.price(order.price ?? 0);
    data.X = status;
    data.i = String(order.orderId);
    data.z = wp.qty(executed);
    data.Z = wp.quote(executedQuote);
    data.V = extras.selfTradePrevention;
    data.T = Math.round(order.updatedAt * 1000);
    data.O = 'USER';
    data.y = extras.postOnly;
    data.r = order.reduceOnly;
    return data;
  }

  private positionEvent(event: string, account: string, nowUs: number): Record<string, unknown> {
    const wp = this.wp;
    const p = this.engine.position(account);
    const exposure = worstCaseExposure(p.qty, this.engine.openOrders(account));
    const imf = Math.max(1 / p.leverage, Number(BACKPACK_MARKET_FACTS.imfFunction.base));
    return {
      e: event,
      E: nowUs,
      s: p.symbol,
      b: wp.price(p.entryPrice),
      B: wp.price(p.entryPrice),
      f: String(imf),
      M: wp.price(p.markPrice),
      m: BACKPACK_MARKET_FACTS.mmfFunction.base,
      q: wp.qty(p.qty),
      Q: wp.qty(exposure),
      n: wp.quote(exposure * p.markPrice),
      i: positionId(account, p.symbol),
      p: wp.amount(p.realizedPnl),
      P: wp.amount(p.unrealizedPnl),
      l: '0',
      T: nowUs,
    };
  }
}
