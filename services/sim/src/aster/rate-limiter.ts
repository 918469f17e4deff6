/**
 * Request-weight budget per IP and order count per account, in fixed one-minute windows (what the
 * `X-MBX-USED-WEIGHT-1M` / `X-MBX-ORDER-COUNT-1M` headers report) [DOC §LIMITS]. An IP that keeps sending
 * while over its budget collects 429s and is then banned (418) for `banMs` [DOC §IP Limits].
 */
export interface RateLimiterOptions {
  weightPerMinute: number;
  ordersPerMinute: number;
  banAfter429s: number;
  banMs: number;
}

export type WeightVerdict =
  | { kind: 'ok'; used: number }
  | { kind: 'limited'; used: number; retryAfterSec: number }
  | { kind: 'banned'; used: number; until: number };

interface IpState {
  window: number;
  used: number;
  violations: number;
  bannedUntil: number;
}

export class AsterRateLimiter {
  private readonly ips = new Map<string, IpState>();
  private readonly orders = new Map<string, { window: number; count: number }>();

  constructor(private readonly opts: RateLimiterOptions) {}

  private ip(ip: string, now: number): IpState {
    const window = Math.floor(now / 60_000);
    let s = this.ips.get(ip);
    if (!s) {
      s = { window, used: 0, violations: 0, bannedUntil: 0 };
      this.ips.set(ip, s);
    }
    if (s.window !== window) {
      s.window = window;
      s.used = 0;
    }
    return s;
  }

  /** Charges `weight` to the IP and says whether the request may proceed. */
  charge(ip: string, weight: number, now: number): WeightVerdict {
    const s = this.ip(ip, now);
    if (s.bannedUntil > now) return { kind: 'banned', used: s.used, until: s.bannedUntil };
    s.used += weight;
    if (s.used <= this.opts.weightPerMinute) {
      s.violations = 0;
      return { kind: 'ok', used: s.used };
    }
    s.violations += 1;
    if (s.violations > this.opts.banAfter429s) {
      s.bannedUntil = now + this.opts.banMs;
      s.violations = 0;
      return { kind: 'banned', used: s.used, until: s.bannedUntil };
    }
    return { kind: 'limited', used: s.used, retryAfterSec: Math.ceil((60_000 - (now % 60_000)) / 1000) };
  }

  usedWeight(ip: string, now: number): number {
    return this.ip(ip, now).used;
  }

  /** Counts one new order for the account; false when over the per-minute order limit. */
  countOrder(account: string, now: number): { ok: boolean; count: number } {
    const window = Math.floor(now / 60_000);
    let s = this.orders.get(account);
    if (!s || s.window !== window) {
      s = { window, count: 0 };
      this.orders.set(account, s);
    }
    s.count += 1;
    return { ok: s.count <= this.opts.ordersPerMinute, count: s.count };
  }

  orderCount(account: string, now: number): number {
    const s = this.orders.get(account);
    return s && s.window === Math.floor(now / 60_000) ? s.count : 0;
  }
}
