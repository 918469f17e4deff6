import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { privatePm2Home, reapOrphanedPm2Homes, removePm2Home } from './pm2-home';

/** A process standing in for a leftover PM2 daemon or service: it runs with the home's PM2_HOME. */
function runUnder(home: string): ChildProcess {
  return spawn('sleep', ['60'], { env: { PM2_HOME: home }, stdio: 'ignore' });
}

const exited = (p: ChildProcess) =>
  p.exitCode !== null || p.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((r) => p.once('exit', () => r()));

describe('private PM2 homes of the stack tests', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
  });

  it('a new home reaps those whose test process is gone, with everything running under them; a live owner keeps its home', async () => {
    const orphan = privatePm2Home();
    // Its owner: a process that has exited (as a test run killed before its afterAll).
    writeFileSync(join(orphan, 'test-owner.pid'), String(spawnSync('true').pid));
    const leftover = runUnder(orphan);
    children.push(leftover);
    await new Promise((r) => setTimeout(r, 100)); // exec'd with its environment

    const mine = privatePm2Home();
    await exited(leftover);
    expect(leftover.signalCode).toBe('SIGKILL');
    expect(existsSync(orphan)).toBe(false);
    expect(readFileSync(join(mine, 'test-owner.pid'), 'utf8')).toBe(String(process.pid));

    const kept = runUnder(mine);
    children.push(kept);
    await new Promise((r) => setTimeout(r, 100));
    expect(reapOrphanedPm2Homes()).not.toContain(mine);
    expect(kept.exitCode).toBeNull();
    expect(removePm2Home(mine)).toEqual([kept.pid]);
    await exited(kept);
    expect(existsSync(mine)).toBe(false);
  });
});
