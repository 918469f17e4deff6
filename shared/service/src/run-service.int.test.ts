import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { connect, type Socket } from 'node:net';
import { freePort } from '@arb/testkit/free-port';
import { waitFor } from '@arb/testkit/wait';
import { afterEach, describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = path.join(here, '..', 'test', 'fixture-service.ts');
// node itself with tsx's loader, not the tsx CLI: the CLI runs the service in a child of its own, which
// the SIGKILL in afterEach would leave running (an orphan per test whose service never exits by itself).
const tsxLoader = pathToFileURL(
  path.join(path.dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist', 'loader.mjs'),
).href;

interface Proc {
  child: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
}
const procs: Proc[] = [];

function start(mode: string, env: Record<string, string> = {}): Proc {
  const child = spawn(process.execPath, ['--import', tsxLoader, fixture], {
    env: { ...process.env, FIXTURE_MODE: mode, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let buf = '';
  child.stdout?.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop() ?? '';
    lines.push(...parts);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const p = { child, lines, exited };
  procs.push(p);
  return p;
}

async function waitForLog(p: Proc, msg: string, timeoutMs = 20_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const l of p.lines) {
      try {
        const rec = JSON.parse(l) as Record<string, unknown>;
        if (rec.msg === msg) return rec;
      } catch {}
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no "${msg}" log line; got:\n${p.lines.join('\n')}`);
}

/** A TCP connection to the port that sends nothing (undefined when nothing listens there yet). */
function connectBare(port: number): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.on('error', () => resolve(undefined));
  });
}

afterEach(() => {
  for (const p of procs.splice(0)) p.child.kill('SIGKILL');
});

describe('runService (real processes)', () => {
  it('serves /healthz and /metrics, and stops cleanly on SIGTERM with exit 0', async () => {
    const p = start('ok');
    const ready = await waitForLog(p, 'ready');
    const url = ready.healthUrl as string;
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ service: 'fixture', ok: true });
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/process_cpu_user_seconds_total\{service="fixture"\}/);
    // A connection with no request on it (see the failed-start case below) does not hold the stop either.
    const held = await connectBare(Number(new URL(url).port));
    expect(held).toBeDefined();
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    held?.destroy();
    await waitForLog(p, 'resources closed');
    await waitForLog(p, 'stopped');
  }, 30_000);

  it('reports degraded health as 503 with the reason', async () => {
    const p = start('degraded');
    const ready = await waitForLog(p, 'ready');
    const res = await fetch(`${ready.healthUrl as string}/healthz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ ok: false, reason: 'feed stale' });
  }, 30_000);

  it('exits non-zero when start fails', async () => {
    const p = start('fail-start');
    expect(await p.exited).toBe(1);
    const fatal = await waitForLog(p, 'start failed');
    expect(JSON.stringify(fatal)).toContain('bad wiring');
  }, 30_000);

  it('a failed start exits at once, whatever connections its health server holds', async () => {
    // A supervisor's health poll can leave a connection open with no request on it yet (the launcher's
    // fetch on a loaded machine). Node's server.close() waits for such a connection until its headers
    // timeout: a failed service stayed alive, and listed as online, for ~90 s. Here one is held open.
    const port = await freePort();
    const p = start('fail-start-late', { FIXTURE_PORT: String(port) });
    const held = await waitFor(() => connectBare(port), {
      timeoutMs: 20_000,
      intervalMs: 50,
      message: 'health port listening',
    });
    try {
      expect(await p.exited).toBe(1);
      await waitForLog(p, 'start failed');
    } finally {
      held.destroy();
    }
  }, 30_000);

  it('exits non-zero on an unhandled rejection so the supervisor restarts it', async () => {
    const p = start('reject');
    expect(await p.exited).toBe(1);
    await waitForLog(p, 'fatal error; exiting so the supervisor restarts the service');
  }, 30_000);

  it('exits non-zero when the clean stop exceeds its timeout', async () => {
    const p = start('hang-stop');
    await waitForLog(p, 'ready');
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(1);
    await waitForLog(p, 'clean stop timed out');
  }, 30_000);
});
