import type { Alert } from '@arb/bus/alert';
import type { LegJob } from '@arb/bus/leg-job';
import type { OrderOutcomeEvent } from '@arb/bus/order-outcome-event';
import { createLogger } from '@arb/log/logger';
import { Registry } from 'prom-client';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ExecMarker } from './exec-marker';
import { createExecutionMetrics } from './execution-metrics';
import { LegExecutor, NOT_PLACED, REFUSAL_CODES } from './leg-executor';
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

describe('LegExecutor', () => {
  let clock: { t: number };
  let venue: FakeVenue;
  let reports: OrderOutcomeEvent[];
  let alerts: Omit<Alert, 'v' | 'source' | 'at'>[];
  let fence: number;
  let marker: ExecMarker | null;
  let registry: Registry;
  let exec: LegExecutor;
  let health: VenueHealth;

  const run = (jobId = 'hunit1-aster-open1') => ({
    jobId,
    marker,
    saveMarker: async (m: ExecMarker) => {
      marker = m;
    },
  });

  beforeEach(() => {
    clock = { t: T0 + 50 };
    venue = new FakeVenue(clock);
    reports = [];
    alerts = [];
    fence = 3;
    marker = null;
    registry = new Registry();
    health = new VenueHealth(() => clock.t);
    exec = new LegExecutor({
      venue,
      io: {
        currentFence: async () => fence,
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
      now: () => clock.t,
      sleep: async (ms) => {
        clock.t += ms;
      },
    });
  });

  it('sends once and reports the fill with timestamps; the marker is saved before the send', async () => {
    const saved: (ExecMarker | null)[] = [];
    const ev = await exec.execute(leg(), {
      jobId: 'j1',
      marker: null,
      saveMarker: async (m) => {
        saved.push(m);
        expect(venue.sent).toHaveLength(0);
      },
    });
    expect(venue.sent).toHaveLength(1);
    expect(saved).toEqual([{ stage: 'sent', sentAt: T0 + 50, byJobId: 'j1' }]);
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

  it('a leg whose order already exists is reported from the venue and nothing is sent', async () => {
    await exec.execute(leg(), run());
    marker = null; // a duplicate under another BullMQ job id carries no marker
    const ev = await exec.execute(leg(), run('other-id'));
    expect(venue.sent).toHaveLength(1);
    expect(ev).toMatchObject({ probed: true, outcome: { kind: 'filled', venueOrderId: '1' } });
  });

  it('a re-run after a send that never reached the venue resolves to NOT_PLACED without sending', async () => {
    marker = { stage: 'sent', sentAt: T0 - 10_000, byJobId: 'x' };
    const ev = await exec.execute(leg({ createdAt: T0 - 10_000 }), run());
    expect(venue.sent).toHaveLength(0);
    expect(ev.outcome).toMatchObject({ kind: 'rejected', code: NOT_PLACED });
    expect(ev.probed).toBe(true);
  });

  it('a run that lost its account lock, or was held up after saving the marker, never sends', async () => {
    const lost = await exec.execute(leg(), { ...run(), stillOwner: async () => false });
    expect(venue.sent).toHaveLength(0);
    expect(lost.outcome).toMatchObject({ kind: 'rejected', code: NOT_PLACED });
    if (lost.outcome.kind === 'rejected') expect(lost.outcome.reason).toMatch(/account lock lost/);
    marker = null;
    clock.t = T0 + 50;
    const slow = await exec.execute(leg({ createdAt: clock.t }), {
      jobId: 'j',
      marker: null,
      saveMarker: async () => {
        clock.t += 1_500; // e.g. the process was paused here
      },
    });
    expect(venue.sent).toHaveLength(0);
    if (slow.outcome.kind === 'rejected') expect(slow.outcome.reason).toMatch(/held up before the send/);
    expect(slow.outcome).toMatchObject({ kind: 'rejected', code: NOT_PLACED });
  });

  it('refuses a stale fence and a stale open decision without sending; close legs are exempt', async () => {
    fence = 4;
    const a = await exec.execute(leg(), run());
    expect(a.outcome).toMatchObject({ kind: 'rejected', code: REFUSAL_CODES.staleFence });
    fence = 3;
    clock.t = T0 + 501;
    const b = await exec.execute(leg(), run());
    expect(b.outcome).toMatchObject({ kind: 'rejected', code: REFUSAL_CODES.staleDecision });
    expect(venue.sent).toHaveLength(0);
    const c = await exec.execute(
      leg({ role: 'close', reduceOnly: true, side: 'sell', clientOrderId: 'hunit1-aster-close1' }),
      run('hunit1-aster-close1'),
    );
    expect(c.outcome.kind).toBe('filled');
    expect(alerts.map((x) => x.code)).toEqual(['order_refused_stale_fence']);
    const refused = await registry.getSingleMetricAsString('arb_order_jobs_refused_total');
    expect(refused).toContain('reason="STALE_FENCE"} 1');
    expect(refused).toContain('reason="STALE_DECISION"} 1');
  });

  it('refuses an open leg when margin is short, or when the balance cannot be read', async () => {
    venue.available = (0.02 * 100_100) / 5; // no room for the 10 % buffer
    const a = await exec.execute(leg(), run());
    expect(a.outcome).toMatchObject({ kind: 'rejected', code: REFUSAL_CODES.insufficientMargin });
    venue.available = 10_000;
    venue.balanceFails = true;
    const b = await exec.execute(leg(), run());
    expect(b.outcome).toMatchObject({ kind: 'rejected', code: REFUSAL_CODES.marginCheckFailed });
    expect(venue.sent).toHaveLength(0);
  });

  it('reports the venue rejection with its code', async () => {
    venue.mode = 'reject';
    const ev = await exec.execute(leg(), run());
    expect(ev.outcome).toMatchObject({ kind: 'rejected', code: '-2019' });
    expect(ev.probed).toBe(false);
  });

  it('a business rejection leaves the order path ok; a rate-limited "rejection" degrades it', async () => {
    venue.mode = 'reject';
    await exec.execute(leg(), run());
    expect(health.snapshot().degraded).toBeNull();
    venue.mode = 'rate_limited';
    marker = null;
    const ev = await exec.execute(leg({ clientOrderId: 'hunit1-aster-open2', attempt: 2 }), run('j2'));
    expect(ev.outcome).toMatchObject({ kind: 'rejected', code: 'HTTP_429' });
    expect(health.snapshot().degraded).toMatchObject({ reason: expect.stringContaining('rate_limited') });
    expect(health.orderHealth('aster').state).toBe('degraded');
  });

  it('resolves an unknown that executed to filled, and one that never arrived to NOT_PLACED', async () => {
    venue.mode = 'unknown_executed';
    const a = await exec.execute(leg(), run());
    expect(a).toMatchObject({ probed: true, outcome: { kind: 'filled' } });
    venue.mode = 'unknown_not_placed';
    marker = null;
    const b = await exec.execute(leg({ clientOrderId: 'hunit1-aster-open2', attempt: 2 }), run('j2'));
    expect(b.outcome).toMatchObject({ kind: 'rejected', code: NOT_PLACED });
    expect(clock.t - b.sentAt).toBeGreaterThanOrEqual(1_000);
    expect(venue.sent).toHaveLength(2);
  });

  it('an order still unknown at the bound is reported unknown with a critical alert', async () => {
    venue.mode = 'unknown_executed';
    venue.findFailures = 2; // transient: the first probe is retried, then the leg is sent
    const ok = await exec.execute(
      leg({ clientOrderId: 'hunit1-aster-open3', attempt: 3, createdAt: clock.t }),
      run(),
    );
    expect(ok).toMatchObject({ probed: true, outcome: { kind: 'filled' } });
    expect(venue.sent).toHaveLength(1);
    venue.sent.length = 0;
    marker = null;
    venue.findFailures = 1_000;
    clock.t = T0;
    const ev = await exec.execute(leg(), run());
    expect(venue.sent).toHaveLength(0);
    expect(ev.outcome).toMatchObject({ kind: 'rejected', code: REFUSAL_CODES.probeFailed });
    venue.findFailures = 0;
    venue.mode = 'unknown_not_placed';
    // Probe ok, send unknown, then every resolve query fails: unknown at the bound.
    const orig = venue.findOrder.bind(venue);
    let calls = 0;
    venue.findOrder = async (s, c) => {
      calls++;
      if (calls > 1) throw new Error('HTTP 502');
      return orig(s, c);
    };
    const ev2 = await exec.execute(leg(), run());
    expect(ev2.outcome.kind).toBe('unknown');
    expect(alerts.at(-1)).toMatchObject({ level: 'critical', code: 'order_unknown' });
  });
});
