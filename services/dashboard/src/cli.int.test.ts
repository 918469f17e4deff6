import { readFile } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ControlCommandSchema } from '@arb/bus/control-command';
import { readControlFlags } from '@arb/bus/control-flags';
import { type RedisNames, redisNames } from '@arb/bus/keys';
import { publishQuote } from '@arb/bus/quote-bus';
import { readRange, type StreamConsumer } from '@arb/bus/stream';
import { spawnService } from '@arb/testkit/process';
import { type RedisFixture, redisFixture } from '@arb/testkit/redis';
import { loadConfig } from '@arb/config/config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli';
import { openTestHedge, startTestCommandApplier } from './test-hedge-writer';
import { testQuote } from './test-fixtures';

/** The CLI as operators run it: a real process, config from the environment, a real Redis. */
describe('cli (real process)', () => {
  let fx: RedisFixture;
  let names: RedisNames;
  let applier: StreamConsumer<typeof ControlCommandSchema> | null = null;

  const cli = async (args: string[], extraEnv: Record<string, string> = {}) => {
    const p = spawnService({
      entry: 'services/dashboard/src/cli.ts',
      args,
      env: { MODE: 'sim', ...fx.env, LOG_LEVEL: 'silent', ...extraEnv },
      name: `cli ${args[0]}`,
    });
    const exit = await p.waitForExit(60_000);
    return { code: exit.code, out: p.stdout.join('\n'), err: p.stderr.join('\n') };
  };

  beforeAll(async () => {
    fx = await redisFixture();
    names = redisNames(fx.ns);
  });
  afterAll(async () => {
    await applier?.stop();
    await fx?.cleanup();
  });

  it('status prints the status line and the daily stats block', async () => {
    const now = Date.now();
    await publishQuote(fx.redis, names, 'BTC', testQuote('aster', 100_000, 100_010, now));
    await publishQuote(fx.redis, names, 'BTC', testQuote('backpack', 100_150, 100_160, now));
    const r = await cli(['status']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('Aster 100000.0/100010.0 (100005.0)');
    expect(r.out).toContain('buy Aster/sell Backpack +140.00');
    expect(r.out).toContain('Daily stats');
    expect(r.out).toContain('Open positions: 0');
    const json = await cli(['status', '--json']);
    expect(JSON.parse(json.out).spread.open.buy_aster_sell_backpack).toBe(140);
  });

  it('usage errors exit 2; flatten without a terminal or --yes is refused and sends nothing', async () => {
    const bad = await cli(['frobnicate']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('unknown command');
    const flatten = await cli(['flatten']);
    expect(flatten.code).toBe(3);
    expect(flatten.err).toContain('pass --yes');
    expect(await fx.redis.xlen(names.commandStream)).toBe(0);
  });

  it('pause without risk running is sent but reported as not applied', async () => {
    const r = await cli(['pause', '--wait', '300']);
    expect(r.code).toBe(3);
    expect(r.out).toContain('pause sent');
    expect(r.err).toContain('is the risk service running?');
  });

  it('pause and resume are applied by risk (stand-in) and the CLI says so; flatten --yes is sent', async () => {
    applier = await startTestCommandApplier(fx.connect({ maxRetriesPerRequest: null }), names);
    const pause = await cli(['pause', '--reason', 'maintenance', '--wait', '30000']);
    expect(pause.code).toBe(0);
    expect(pause.out).toContain('applied by risk: paused=true');
    expect(await readControlFlags(fx.redis, names)).toMatchObject({ paused: true, reason: 'maintenance' });
    const resume = await cli(['resume', '--wait', '30000']);
    expect(resume.code).toBe(0);
    expect((await readControlFlags(fx.redis, names)).paused).toBe(false);
    const flatten = await cli(['flatten', '--yes']);
    expect(flatten.code).toBe(0);
    const { entries } = await readRange(fx.redis, names.commandStream, ControlCommandSchema);
    expect(entries.map((e) => e.message.command)).toEqual(['pause', 'pause', 'resume', 'flatten']);
    expect(entries.every((e) => e.message.by.startsWith('cli'))).toBe(true);
  });

  it('ledger-export writes CSV to a file and JSON to stdout', async () => {
    const hedge = await openTestHedge(fx.redis, names, 'BTC', Date.now());
    await hedge.close(Date.now(), 0.75);
    const dir = await mkdtemp(join(tmpdir(), 'arb-ledger-'));
    const file = join(dir, 'ledger.csv');
    const csv = await cli(['ledger-export', '--format', 'csv', '--out', file]);
    expect(csv.code).toBe(0);
    expect(csv.err).toContain('6 ledger entries written');
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(7);
    expect(lines[0]).toMatch(/^entryId,time,at,kind,hedgeId/);
    expect(lines.at(-1)).toContain('hedge_closed');
    const json = await cli(['ledger-export', '--format', 'json']);
    expect(json.code).toBe(0);
    const rows = JSON.parse(json.out) as { kind: string; hedgeId: string; realizedPnl?: number }[];
    expect(rows).toHaveLength(6);
    expect(rows.at(-1)).toMatchObject({ kind: 'hedge_closed', hedgeId: hedge.hedgeId, realizedPnl: 0.75 });
  });

  it('flatten asks on the terminal: a wrong answer sends nothing, typing "flatten" sends it', async () => {
    const config = loadConfig({ MODE: 'sim', ...fx.env }, { dotenvPath: false });
    const questions: string[] = [];
    const io = (answer: string) => ({
      out: () => {},
      err: () => {},
      ask: async (q: string) => {
        questions.push(q);
        return answer;
      },
    });
    const before = await fx.redis.xlen(names.commandStream);
    expect(await runCli(['flatten'], io('yes'), config)).toBe(3);
    expect(await fx.redis.xlen(names.commandStream)).toBe(before);
    expect(await runCli(['flatten'], io('flatten\n'), config)).toBe(0);
    expect(await fx.redis.xlen(names.commandStream)).toBe(before + 1);
    expect(questions[0]).toContain('Type "flatten" to confirm');
  });
});
