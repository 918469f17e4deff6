import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { killAllServices, spawnService } from './process';

const ENTRY = 'shared/testkit/test/fixtures/echo-service.ts';

afterAll(() => killAllServices());

describe('spawnService', () => {
  it('runs a TypeScript entry as a real process with env, and captures both streams', async () => {
    const p = spawnService({ entry: ENTRY, env: { ECHO_NAME: 'svc-a', ECHO_SECRET: 'S3CR3T-value' } });
    const ready = await p.waitForLine(/"msg":"ready"/);
    expect(JSON.parse(ready)).toEqual({ msg: 'ready', name: 'svc-a', secret: 'S3CR3T-value' });
    await p.waitForLine(/^stderr line from svc-a$/);
    await p.waitForLine(/^tick 3$/);
    expect(p.pid).toBeGreaterThan(0);
    expect(p.stderr).toContain('stderr line from svc-a');
    expect(p.jsonLines()[0]).toMatchObject({ msg: 'ready' });
    // Everything is kept, so a test can scan the whole output for secrets.
    expect(p.output()).toContain('S3CR3T-value');
    const status = await p.stop('SIGTERM');
    expect(status).toEqual({ code: 0, signal: null });
    expect(p.stdout.at(-1)).toBe('stopping on SIGTERM');
  });

  it('waits for lines from a given index, so a later line is not confused with an earlier one', async () => {
    const p = spawnService({ entry: ENTRY });
    await p.waitForLine(/^tick 2$/);
    const from = p.lines.length;
    const line = await p.waitForLine(/^tick \d+$/, 30_000, { from });
    expect(Number(line.split(' ')[1])).toBeGreaterThanOrEqual(3);
    await p.kill();
  });

  it('kill is SIGKILL', async () => {
    const p = spawnService({ entry: ENTRY });
    await p.waitForLine(/ready/);
    expect(await p.kill()).toEqual({ code: null, signal: 'SIGKILL' });
    expect(p.output()).not.toContain('stopping on SIGTERM');
  });

  it('rejects waitForLine when the process exits first, with its output', async () => {
    const p = spawnService({ entry: ENTRY, env: { ECHO_EXIT_AT: '2' } });
    await expect(p.waitForLine(/never printed/)).rejects.toThrow(
      /exited \(code 3\) before a line matched[\s\S]*tick 2/,
    );
    expect(await p.waitForExit()).toEqual({ code: 3, signal: null });
  });

  it('rejects waitForLine on timeout', async () => {
    const p = spawnService({ entry: ENTRY });
    await expect(p.waitForLine(/never printed/, 300)).rejects.toThrow(/no line matched/);
    await p.stop();
  });

  it('can start from an empty environment plus the given variables', async () => {
    const p = spawnService({ entry: ENTRY, inheritEnv: false, env: { ECHO_NAME: 'bare' } });
    expect(JSON.parse(await p.waitForLine(/ready/))).toMatchObject({ name: 'bare' });
    await p.stop();
  });

  it('can write its output to a file instead of pipes, read back on demand', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arb-proc-'));
    try {
      const file = join(dir, 'echo.log');
      const p = spawnService({
        entry: ENTRY,
        env: { ECHO_NAME: 'filed', ECHO_EXIT_AT: '3' },
        outputFile: file,
      });
      expect(JSON.parse(await p.waitForLine(/"msg":"ready"/))).toMatchObject({ name: 'filed' });
      // stderr goes to the same file, read as output lines.
      await p.waitForLine(/^stderr line from filed$/);
      await expect(p.waitForLine(/never printed/)).rejects.toThrow(/exited \(code 3\)[\s\S]*tick 3/);
      expect(p.stdout).toContain('tick 3');
      expect(readFileSync(file, 'utf8')).toContain('tick 3');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
