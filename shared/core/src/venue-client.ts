import type { OrderOutcome, OrderRequest } from './order';
import type { VenueId } from './venue';

/** Trading rules of one symbol, from the venue's exchangeInfo / markets. */
export interface MarketRules {
  symbol: string;
  tickSize: number;
  stepSize: number;
  minQty: number;
  /** Minimum order notional in quote currency; 0 when the venue has none. */
  minNotional: number;
}

/** Signed base-asset position on one symbol; qty > 0 long, < 0 short. */
export interface PositionSnapshot {
  venue: VenueId;
  symbol: string;
  qty: number;
  entryPrice: number;
  unrealizedPnl: number;
  leverage: number;
}

export interface OpenOrderSnapshot {
  venue: VenueId;
  symbol: string;
  venueOrderId: string;
  clientOrderId: string | null;
  side: 'buy' | 'sell';
  qty: number;
  filledQty: number;
  price: number | null;
}

export interface BalanceSnapshot {
  venue: VenueId;
  asset: string;
  /** Total equity in the margin asset. */
  equity: number;
  /** Available for new margin. */
  available: number;
}

/** How an order request may be held back until the caller's last check has passed. */
export interface PlaceOrderOptions {
  /**
   * The request leaves only once this resolves true; false withdraws it: nothing is sent and the outcome
   * is a rejection (code NOT_SENT). The client does its local work first (rules, rate budget, signing),
   * so the caller's last check before a send (the order worker's send claim, a Redis round trip) runs
   * alongside it instead of before it. A withdrawn request has still taken its rate-budget weight and used
   * a signature timestamp/nonce (harmless: nothing reached the venue).
   */
  sendGate?: Promise<boolean>;
}

/**
 * The venue-neutral trading interface the order workers and risk use. Implementations live in
 * shared/venue-*; every method throws a typed VenueError (naming venue, endpoint, code) on failure,
 * except placeOrder, which never throws for venue outcomes: it classifies them.
 */
export interface VenueClient {
  readonly venue: VenueId;
  marketRules(symbol: string): Promise<MarketRules>;
  /** Sends one taker order and classifies what happened. */
  placeOrder(req: OrderRequest, opts?: PlaceOrderOptions): Promise<OrderOutcome>;
  /** Looks an order up by client order id (open or historical). null = the venue has no such order. */
  findOrder(symbol: string, clientOrderId: string): Promise<OrderOutcome | null>;
  cancelOrder(symbol: string, clientOrderId: string): Promise<void>;
  position(symbol: string): Promise<PositionSnapshot>;
  openOrders(symbol: string): Promise<OpenOrderSnapshot[]>;
  balance(): Promise<BalanceSnapshot>;
  /** Sets leverage (and cross margin where the venue has a margin type) and returns what the venue reports. */
  ensureLeverage(symbol: string, leverage: number): Promise<number>;
  close(): Promise<void>;
}
