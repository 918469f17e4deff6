import type { OrderOutcome, OrderRequest } from '@arb/core/order';
import type { BalanceSnapshot, MarketRules, PlaceOrderOptions, VenueClient } from '@arb/core/venue-client';

/** An in-memory venue: orders by client id; scripted answers for placeOrder and failures. */
export class FakeVenue implements VenueClient {
  readonly venue = 'aster' as const;
  readonly orders = new Map<string, OrderOutcome>();
  /** placeOrder calls (the client's local work done); `sent`: those whose request left (gate open). */
  readonly prepared: OrderRequest[] = [];
  readonly sent: OrderRequest[] = [];
  available = 10_000;
  /** What placeOrder does: fill (and record), or answer unknown after recording (or not). */
  mode: 'fill' | 'unknown_executed' | 'unknown_not_placed' | 'reject' | 'rate_limited' = 'fill';
  findFailures = 0;
  balanceFails = false;
  /** Calls made (the fast path must not probe; the margin check reads a cached balance). */
  finds = 0;
  balanceReads = 0;
  clock: { t: number };
  /** What ensureLeverage and position report (default: what was asked). */
  leverageOverride: number | null = null;

  constructor(clock: { t: number } = { t: Date.now() }) {
    this.clock = clock;
  }

  async marketRules(symbol: string): Promise<MarketRules> {
    return { symbol, tickSize: 0.1, stepSize: 0.001, minQty: 0.001, minNotional: 5 };
  }
  async placeOrder(req: OrderRequest, opts: PlaceOrderOptions = {}): Promise<OrderOutcome> {
    this.prepared.push(req);
    if (opts.sendGate && !(await opts.sendGate)) {
      return {
        kind: 'rejected',
        venue: 'aster',
        clientOrderId: req.clientOrderId,
        code: 'NOT_SENT',
        reason: 'withdrawn before it was sent',
      };
    }
    this.sent.push(req);
    const filled: OrderOutcome = {
      kind: 'filled',
      venue: 'aster',
      clientOrderId: req.clientOrderId,
      venueOrderId: String(this.sent.length),
      side: req.side,
      qty: req.qty,
      avgPrice: 100_000,
      fee: 0.7,
      feeAsset: 'USDT',
      executedAt: this.clock.t,
    };
    switch (this.mode) {
      case 'fill':
        this.orders.set(req.clientOrderId, filled);
        return filled;
      case 'unknown_executed':
        this.orders.set(req.clientOrderId, filled);
        return { kind: 'unknown', venue: 'aster', clientOrderId: req.clientOrderId, reason: 'TIMEOUT' };
      case 'unknown_not_placed':
        return { kind: 'unknown', venue: 'aster', clientOrderId: req.clientOrderId, reason: 'HTTP 500' };
      case 'reject':
        return {
          kind: 'rejected',
          venue: 'aster',
          clientOrderId: req.clientOrderId,
          code: '-2019',
          reason: 'Margin is insufficient',
        };
      case 'rate_limited':
        // As the venue clients word a 429 from their VenueError.
        return {
          kind: 'rejected',
          venue: 'aster',
          clientOrderId: req.clientOrderId,
          code: 'HTTP_429',
          reason: 'aster POST /fapi/v3/order: rate_limited (code HTTP_429, HTTP 429)',
        };
    }
  }
  async findOrder(_symbol: string, clientOrderId: string): Promise<OrderOutcome | null> {
    this.finds++;
    if (this.findFailures > 0) {
      this.findFailures--;
      throw new Error('ECONNRESET');
    }
    return this.orders.get(clientOrderId) ?? null;
  }
  async cancelOrder(): Promise<void> {}
  async position(symbol: string) {
    const leverage = this.leverageOverride ?? this.leverage;
    return { venue: 'aster' as const, symbol, qty: 0, entryPrice: 0, unrealizedPnl: 0, leverage };
  }
  async openOrders() {
    return [];
  }
  async balance(): Promise<BalanceSnapshot> {
    this.balanceReads++;
    if (this.balanceFails) throw new Error('HTTP 503');
    return { venue: 'aster', asset: 'USDT', equity: this.available, available: this.available };
  }
  leverage = 5;
  async ensureLeverage(_s: string, l: number) {
    this.leverage = l;
    return this.leverageOverride ?? l;
  }
  async close() {}
}
