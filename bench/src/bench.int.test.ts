import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnService } from '@arb/testkit/process';
import { afterAll, describe, expect, it } from 'vitest';
import { type BenchResults, ratio } from './results';

/** CI exercises the bench briefly: `run.ts --smoke` as a real process; checks the results' shape, never timings. */

const out = mkdtempSync(join(tmpdir(), 'arb-bench-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const summary = expect.objectContaining({
  n: expect.any(Number),
  p50: expect.any(Number),
  p99: expect.any(Number),
  max: expect.any(Number),
});

describe('npm run bench -- --smoke', () => {
  it('runs every section and writes the JSON and markdown results', async () => {
    const p = spawnService({ entry: 'bench/src/run.ts', name: 'bench', args: ['--smoke', '--out', out] });
    const exit = await p.waitForExit(900_000);
    expect(exit.code, p.output().slice(-3000)).toBe(0);

    const r = JSON.parse(readFileSync(join(out, 'smoke.json'), 'utf8')) as BenchResults;
    expect(r.mode).toBe('smoke');
    expect(r.machine.cores).toBeGreaterThan(0);
    expect(r.machine.node).toMatch(/^v\d+/);
    expect(r.machine.loadAvgStart).toHaveLength(3);
    for (const k of ['1ms', '10ms'] as const) {
      const f = r.floor[k];
      expect(f).toBeDefined();
      for (const hop of [f?.ws, f?.pubsub, f?.bullmq, f?.stream, f?.http, f?.chainLeg, f?.chainOneVenueLeg])
        expect(hop).toEqual(summary);
      expect(f?.ws.n).toBeGreaterThan(0);
      expect(f?.chainLeg.n).toBeGreaterThan(0);
      expect(f?.chainOneVenueLeg.n).toBeGreaterThan(0);
    }
    const pl = r.pipeline['10ms'];
    expect(pl).toBeDefined();
    expect(pl?.tickToLeg).toEqual(summary);
    expect(pl?.tickToLeg.n).toBeGreaterThan(0);
    // The feed hop comes from its own short pass; the workers' steps from their own log lines (files).
    expect(pl?.tickToQuote.n).toBeGreaterThan(0);
    for (const w of ['order-aster', 'order-backpack']) {
      expect(pl?.workerSteps?.[w]?.claim.n).toBeGreaterThan(0);
      expect(pl?.workerSteps?.[w]?.queued?.n).toBe(pl?.workerSteps?.[w]?.claim.n);
      expect(pl?.workerSteps?.[w]?.fetch?.n).toBe(pl?.workerSteps?.[w]?.claim.n);
    }
    // A smoke run does not pace its few cycles; the legs the workers refused are counted.
    expect(pl?.minCycleMs).toBe(0);
    expect(pl?.rejectedLegs).toBeTypeOf('object');
    expect(typeof pl?.p50Ratio).toBe('number');
    expect(typeof pl?.p99Ratio).toBe('number');
    // The bare chain measured again beside the running stack (informational ratio).
    const beside = pl?.chainBesideStack;
    expect(beside?.leg.n).toBeGreaterThan(0);
    expect(beside?.p50Ratio).toBe(ratio(pl?.tickToLeg.p50 ?? 0, beside?.leg.p50 ?? 0));
    expect(r.feed.publishedPerSec).toBeGreaterThan(0);
    expect(r.strategy.micro.decideUs).toBeGreaterThan(0);
    // The strategy CPU's yardstick: a bare subscriber process that received the same ticks.
    expect(r.strategy.bareSubscriber?.ticksPerSec).toBeGreaterThan(0);
    expect(r.strategy.bareSubscriber?.cpuPercent).toBeGreaterThan(0);
    expect(r.memory.bareWorkerRssMb).toBeGreaterThan(0);
    expect(r.memory.starts).toHaveLength(1);
    expect(Object.keys(r.memory.idleRssMb).sort()).toEqual(
      ['feed-aster', 'feed-backpack', 'order-aster', 'order-backpack', 'risk', 'strategy'].sort(),
    );
    expect(r.targets.length).toBeGreaterThan(0);
    const md = readFileSync(join(out, 'smoke.md'), 'utf8');
    expect(md).toContain('## Floor');
    expect(md).toContain('## Pipeline');
    expect(md).toContain('legs rejected (code: count)');
    expect(md).toContain('bare chain beside the running stack');
  }, 960_000);
});
