import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Private PM2 homes for the tests that run the stack under PM2. A test run stopped before its afterAll
 * (Ctrl-C, turbo ending the run on another task's failure) leaves its PM2 daemon behind, restarting the
 * stack forever and loading the machine (seen: a benchmark run beside such a leftover). Each home records
 * the pid of the test process that owns it; the next run reaps every home whose owner is gone.
 */
const PREFIX = 'arb-pm2-';
const OWNER_FILE = 'test-owner.pid';
/** A home without an owner file (made before owners were recorded) counts as orphaned after this. */
const UNOWNED_MAX_AGE_MS = 3_600_000;

/** A new PM2_HOME owned by this test process, after reaping the orphaned ones. */
export function privatePm2Home(): string {
  reapOrphanedPm2Homes();
  const home = mkdtempSync(join(tmpdir(), PREFIX));
  writeFileSync(join(home, OWNER_FILE), String(process.pid));
  return home;
}

/** Kills every process running under `home` (PM2 daemon, launcher, services) and removes the home. */
export function removePm2Home(home: string): number[] {
  const killed = processesUnder(home);
  for (const pid of killed) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  rmSync(home, { recursive: true, force: true });
  return killed;
}

/** Reaps the homes whose owning test process is gone; returns them. */
export function reapOrphanedPm2Homes(now = Date.now()): string[] {
  const reaped: string[] = [];
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(PREFIX)) continue;
    const home = join(tmpdir(), name);
    const owner = readPid(join(home, OWNER_FILE));
    const orphaned = owner === null ? now - mtimeMs(home) > UNOWNED_MAX_AGE_MS : !isAlive(owner);
    if (!orphaned) continue;
    removePm2Home(home);
    reaped.push(home);
  }
  return reaped;
}

/** Pids whose environment has PM2_HOME=home (Linux /proc; PM2 passes it on to the apps it starts). */
function processesUnder(home: string): number[] {
  const needle = `PM2_HOME=${home}\0`;
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      if (`${readFileSync(`/proc/${pid}/environ`, 'utf8')}\0`.includes(needle)) out.push(pid);
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}

function readPid(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8'));
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function mtimeMs(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/** Whether a process with this pid exists (EPERM: it does, owned by another user). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
