import type { Alert } from '@arb/bus/alert';
import type { LegJob } from '@arb/bus/leg-job';
import type { OrderOutcomeEvent } from '@arb/bus/order-outcome-event';
import { createLogger } from '@arb/log/logger';
import { Registry } from 'prom-client';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ExecMarker } from './exec-marker';
import type { LegRun } from './leg-executor';
import { createExecutionMetrics } from './execution-metrics';
import { LegExecutor, NOT_PLACED, REFUSAL_CODES } from './leg-executor';
import type { SendClaim } from './send-claim';
import { FakeVenue } from './testing/fake-venue';
import { VenueHealth } from './venue-health';

const T0 = 1_800_000_000_000;

function leg(over: Partial<LegJob> = {}): LegJob {
  return {
    v: 1,
    hedgeId: 'hunit1',
    pair: 'BTC',
    role: 'open',
    attempt: 1,
    venue: 'aster',
    symbol: 'BTCUSDT',
    side: 'buy',
    qty: 0.02,
    reduceOnly: false,
    clientOrderId: 'hunit1-aster-open1',
    fence: 3,
    limitPrice: 100_100,
    createdAt: T0,
    ...over,
  };
}

/**
 * The send claim's decision table (send-claim.ts's Lua script, tested against Redis in
 * order-worker.int.test.ts), in memory: one owner, markers by leg id, the intents' fence.
 */
class MemoryClaims {
  markers = new Map<string, ExecMarker>();
  /** The fence each hedge's intents were recorded under; null = no intent recorded. */
  intentFence: number | null = 3;
  calls: { legId: string; marker: ExecMarker | null }[] = [];
  /** Runs before each claim (e.g. the process pauses there). */
  onClaim: (() => void) | null = null;

  run(l: LegJob, jobId: string, fresh: boolean): LegRun {
    return {
      jobId,
      fresh,
      claim: async (marker): Promise<SendClaim> => {
        this.onClaim?.();
        this.calls.push({ legId: l.clientOrderId, marker });
        const found = this.markers.get(l.clientOrderId);
        if (found) return { kind: 'marked', marker: found };
        if (l.fence > 0) {
          if (this.intentFence === null) return { kind: 'no-intent' };
          if (l.fence < this.intentFence) return { kind: 'stale-fence', fence: this.intentFence };
        }
        if (!marker) return { kind: 'unclaimed' };
        this.markers.set(l.clientOrderId, marker);
        return { kind: 'claimed' };
      },
    };
  }
}

describe('LegExecutor', () => {
  let clock: { t: number };
  let venue: FakeVenue;
  let reports: OrderOutcomeEvent[];
  let alerts: Omit<Alert, 'v' | 'source' | 'at'>[];
  let claims: MemoryClaims;
  let registry: Registry;
  let exec: LegExecutor;
  let health: VenueHealth;

  /** Executes `l` as a fresh delivery (default) or a re-delivery. */
  const execute = (l: LegJob, o: { fresh?: boolean; jobId?: string } = {}) =>
    exec.execute(l, claims.run(l, o.jobId ?? l.clientOrderId, o.fresh ?? true));

  beforeEach(() => {
    clock = { t: T0 + 50 };
    venue = new FakeVenue(clock);
    reports = [];
    alerts = [];
    claims = new MemoryClaims();
    registry = new Registry();
    health = new VenueHealth(() => clock.t);
    exec = new LegExecutor({
      venue,
      io: {
        referencePrice: async () => 100_000,
        report: async (e) => {
          reports.push(e);
        },
        alert: async (a) => {
          alerts.push(a);
        },
      },
      metrics: createExecutionMetrics(registry),
      health,
      log: createLogger({ service: 'test', level: 'silent' }),
      leverage: 5,
      maxDecisionAgeMs: 500,
      unknownResolveTimeoutMs: 5_000,
      settleMs: 1_000,
      marginBuffer: 0.1,
      balanceMaxAgeMs: 30_000,
      now: () => clock.t,
      sleep: async (ms) => {
        clock.t += ms;
      },
    });
  });

  it('a fresh leg: claimed with its marker before the send, sent once, no probe, fill reported', async () => {
    claims.onClaim = () => expect(venue.sent).toHaveLength(0);
    const ev = await execute(leg(), { jobId: 'j1' });
    expect(venue.sent).toHaveLength(1);
    expect(venue.finds).toBe(0);
    expect(claims.calls).toEqual([
      { legId: 'hunit1-aster-open1', marker: { stage: 'sent', sentAt: T0 + 50, byJobId: 'j1' } },
    ]);
    expect(ev).toMatchObject({
      hedgeId: 'hunit1',
      role: 'open',
      attempt: 1,
      jobId: 'hunit1-aster-open1',
      probed: false,
      sentAt: T0 + 50,
      outcome: { kind: 'filled', qty: 0.02, avgPrice: 100_000, fee: 0.7, venueOrderId: '1' },
    });
    expect(reports).toEqual([ev]);
    const m = await registry.getSingleMetricAsString('arb_order_outcomes_total');
    expect(m).toContain('kind="filled",probed="false"} 1');
  });

  it('the margin check reads the balance once per max age, and again after a fill', async () => {
    await exec.refreshBalance(); // the worker's read at start
    venue.mode = 'reject';
    await execute(leg());
    await execute(leg({ clientOrderId: 'hunit1-aster-open2' }));
    expect(venue.balanceReads).toBe(1); // rejected: margin did not move
    venue.mode = 'fill';
    await execute(leg({ clientOrderId: 'hunit1-aster-open3' }));
    await new Promise((r) => setImmediate(r));
    expect(venue.balanceReads).toBe(2); // re-read after the fill, in the background
    clock.t += 30_001;
    await execute(leg({ clientOrderId: 'hunit1-aster-open4', createdAt: clock.t }));
    expect(venue.balanceReads).toBe(4); // too old: read before the check (then again after this fill)
    // A reduce-only fill frees margin: the cached balance stays (an under-estimate), nothing is read.
    await execute(leg({ clientOrderId: 'hunit1-aster-close1', role: 'close', reduceOnly: true }));
    await new Promise((r) => setImmediate(r));
    expect(venue.sent.at(-1)?.clientOrderId).toBe('hunit1-aster-close1');
    expect(venue.balanceReads).toBe(4);
  });

  it('a leg whose order already exists is reported from the venue and nothing is sent', async () => {
    await execute(leg());
    // Delivered again: as a re-run, and as the same leg under another job id (its marker is per leg).
    const rerun = await execute(leg(), { fresh: false });
    const other = await execute(leg(), { jobId: 'other-id' });
    expect(venue.sent).toHaveLength(1);
    for (const ev of [rerun, other]) {
      expect(ev).toMatchObject({
        probed: true,
        sentAt: T0 + 50,
        outcome: { kind: 'filled', venueOrderId: '1' },
      });
    }
  });

  it('a re-delivery without a marker probes the venue first, then sends (marker claimed before)', async () => {
    const ev = await execute(leg(), { fresh: false });
    expect(venue.finds).toBe(1);
    expect(venue.sent).toHaveLength(1);
    expect(claims.calls.map((c) => c.marker === null)).toEqual([true, false]);
    expect(ev).toMatchObject({ probed: false, outcome: { kind: 'filled' } });
  });

  it('a re-run after a send that never reached the venue resolves to NOT_PLACED without sending', async () => {
    claims.markers.set('hunit1-aster-open1', { stage: 'sent', sentAt: T0 - 10_000, byJobId: 'x' });
    for (const fresh of [false, true]) {
      const ev = await execute(leg({ createdAt: T0 - 10_000 }), { fresh });
      expect(venue.sent).toHaveLength(0);
      expect(ev.outcome).toMatchObject({ kind: 'rejected', code: NOT_PLACED });
      expect(ev.probed).toBe(true);
    }
  });

  it('a fresh leg is prepared while its claim is in flight and leaves only once the claim is taken', async () => {
    const l = leg({ createdAt: clock.t });
    const run = claims.run(l, 'j', true);
    let release!: () => void;
    const claimHeld = new Promise<void>((r) => {
      release = r;
    });
    const done = exec.execute(l, {
      ...run,
      claim: async (m) => {
        await claimHeld; // the claim's round trip, still in flight
        return run.claim(m);
      },
    });
    await new Promise((r) => setImmediate(r));
    // The venue client did its local work (rules, signing) during the claim, but nothing left.
    expect(venue.prepared).toHaveLength(1);
    expect(venue.sent).toHaveLength(0);
    release();
    const ev = await done;
    expect(venue.sent).toHaveLength(1);
    expect(ev.outcome).toMatchObject({ kind: 'filled' });
    expect(claims.markers.has(l.clientOrderId)).toBe(true);
  });

  it('a prepared leg is withdrawn, never sent, when its claim is refused or fails', async () => {
    claims.intentFence = null;
    const refused = await execute(leg());
    expect(refused.outcome).toMatchObject({ kind: 'rejected', code: REFUSAL_CODES.noIntent });
    expect(venue.prepared).toHaveLength(1);
    expect(venue.sent).toHaveLength(0);

    const l = leg({ clientOrderId: 'hunit1-aster-open2' });
    const failing: LegRun = {
      jobId: 'j2',
      fresh: true,
      claim: async () => {
        throw new Error('redis down');
      },
    };
    await expect(exec.execute(l, failing)).rejects.toThrow('redis down');
    await new Promise((r) => setImmediate(r));
    expect(venue.prepared).toHaveLength(2);
    expect(venue.sent).toHaveLength(0);
  });

  it('a leg refused by its own checks is not prepared at all', async () => {
    const ev = await execute(leg({ createdAt: clock.t - 10_000 }));
    expect(ev.outcome).toMatchObject({ kind: 'rejected', code: REFUSAL_CODES.staleDecision });
    expect(venue.prepared).toHaveLength(0);
  });

  it('a run held up between its claim and the send never sends', async () => {
    const l = leg({ createdAt: clock.t });
    const run = claims.run(l, 'j', true);
    const slow = await exec.execute(l, {
      ...run,
      claim: async (m) => {
        const r = await run.claim(m);
        clock.t += 1_500; // e.g. the process was paused here
        return r;
      },
    });
    expect(venue.prepared).toHaveLength(1); // prepared during the claim, then withdrawn
    expect(venue.sent).toHaveLength(0);
    if (slow.outcome.kind === 'rejected') expect(slow.outcome.reason).toMatch(/held up before the send/);
    expect(slow.outcome).toMatchObject({ kind: 'rejected', code: NOT_PLACED });
  });

  it('refuses a stale fence and a stale open decision without sending; close legs are exempt', async () => {
    claims.intentFence = 4;
    const a = await execute(leg());
    expect(a.outcome).toMatchObject({ kind: 'rejected', code: REFUSAL_CODES.staleFence });
    const a2 = await execute(leg(), { fresh: false });
    expect(a2.outcome).toMatchObject({ kind: 'rejected', code: REFUSAL_CODES.staleFence });
    claims.intentFence = 3;
    clock.t = T0 + 501;
    const b = await execute(leg());
    expect(b.outcome).toMatchObject({ kind: 'rejected', code: REFUSAL_CODES.staleDecision });
    expect(venue.sent).toHaveLength(0);
    expect(claims.markers.size).toBe(0); // nothing refused was marked as sent
    const c = await execute(
      leg({ role: 'close', reduceOnly: true, side: 'sell', clientOrderId: 'hunit1-aster-close1' }),
    );
    expect(c.outcome.kind).toBe('filled');
    expect(alerts.map((x) => x.code)).toEqual(['order_refused_stale_fence', 'order_refused_stale_fence']);
    const refused = await registry.getSingleMetricAsString('arb_order_jobs_refused_total');
    expect(refused).toContain('reason="STALE_FENCE"} 2');
    expect(refused).toContain('reason="STALE_DECISION"} 1');
  });

  it('a strategy leg whose intent was never recorded is refused without sending (risk legs need none)', async () => {
    claims.intentFence = null;
    const a = await execute(leg());
    const b = await execute(leg({ clientOrderId: 'hunit1-aster-open2' }), { fresh: false });
    for (const ev of [a, b])
      expect(ev.outcome).toMatchObject({ kind: 'rejected', code: REFUSAL_CODES.noIntent });
    const unwind = await execute(
      leg({
        role: 'unwind',
        fence: 0,
        reduceOnly: true,
        side: 'sell',
        clientOrderId: 'hunit1-aster-unwind1',
      }),
    );
    expect(unwind.outcome.kind).toBe('filled');
    expect(venue.sent.map((r) => r.clientOrderId)).toEqual(['hunit1-aster-unwind1']);
    expect(alerts).toEqual([]);
  });

  it('refuses an open leg when margin is short, or when the balance cannot be read', async () => {
    venue.available = (0.02 * 100_100) / 5; // no room for the 10 % buffer
    const a = await execute(leg());
    expect(a.outcome).toMatchObject({ kind: 'rejected', code: REFUSAL_CODES.insufficientMargin });
    venue.available = 10_000;
    clock.t += 30_001; // the cached balance (short) expires
    venue.balanceFails = true;
    const b = await execute(leg({ createdAt: clock.t }));
    expect(b.outcome).toMatchObject({ kind: 'rejected', code: REFUSAL_CODES.marginCheckFailed });
    expect(venue.sent).toHaveLength(0);
    expect(claims.markers.size).toBe(0);
  });

  it('reports the venue rejection with its code', async () => {
    venue.mode = 'reject';
    const ev = await execute(leg());
    expect(ev.outcome).toMatchObject({ kind: 'rejected', code: '-2019' });
    expect(ev.probed).toBe(false);
  });

  it('a business rejection leaves the order path ok; a rate-limited "rejection" degrades it', async () => {
    venue.mode = 'reject';
    await execute(leg());
    expect(health.snapshot().degraded).toBeNull();
    venue.mode = 'rate_limited';
    const ev = await execute(leg({ clientOrderId: 'hunit1-aster-open2', attempt: 2 }));
    expect(ev.outcome).toMatchObject({ kind: 'rejected', code: 'HTTP_429' });
    expect(health.snapshot().degraded).toMatchObject({ reason: expect.stringContaining('rate_limited') });
    expect(health.orderHealth('aster').state).toBe('degraded');
  });

  it('resolves an unknown that executed to filled, and one that never arrived to NOT_PLACED', async () => {
    venue.mode = 'unknown_executed';
    const a = await execute(leg());
    expect(a).toMatchObject({ probed: true, outcome: { kind: 'filled' } });
    venue.mode = 'unknown_not_placed';
    const b = await execute(leg({ clientOrderId: 'hunit1-aster-open2', attempt: 2, createdAt: clock.t }));
    expect(b.outcome).toMatchObject({ kind: 'rejected', code: NOT_PLACED });
    expect(clock.t - b.sentAt).toBeGreaterThanOrEqual(1_000);
    expect(venue.sent).toHaveLength(2);
  });

  it('a re-delivery whose probe keeps failing is refused; an order still unknown at the bound alerts', async () => {
    venue.mode = 'unknown_executed';
    venue.findFailures = 2; // transient: the first probe is retried, then the leg is sent
    const ok = await execute(leg({ clientOrderId: 'hunit1-aster-open3', attempt: 3, createdAt: clock.t }), {
      fresh: false,
    });
    expect(ok).toMatchObject({ probed: true, outcome: { kind: 'filled' } });
    expect(venue.sent).toHaveLength(1);
    venue.sent.length = 0;
    venue.findFailures = 1_000;
    clock.t = T0;
    const ev = await execute(leg(), { fresh: false });
    expect(venue.sent).toHaveLength(0);
    expect(ev.outcome).toMatchObject({ kind: 'rejected', code: REFUSAL_CODES.probeFailed });
    venue.findFailures = 0;
    venue.mode = 'unknown_not_placed';
    // Sent (fresh), answer unknown, then every resolve query fails: unknown at the bound.
    venue.findOrder = async () => {
      throw new Error('HTTP 502');
    };
    const ev2 = await execute(leg());
    expect(venue.sent).toHaveLength(1);
    expect(ev2.outcome.kind).toBe('unknown');
    expect(alerts.at(-1)).toMatchObject({ level: 'critical', code: 'order_unknown' });
  });
});
