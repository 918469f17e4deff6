import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { StringDecoder } from 'node:string_decoder';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * A service run as a real process: `node <NODE_FLAGS> --import tsx <entry>`, as the launchers run it (node
 * itself, not the tsx CLI, so signals reach the service directly and SIGKILL leaves no orphan). Every
 * stdout/stderr line is kept, for `waitForLine` and for later secret scans of the whole output.
 */

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** The node flags every service runs with (infra/node-flags.cjs, shared with PM2 and compose). */
export const NODE_FLAGS: readonly string[] = (
  createRequire(import.meta.url)(join(REPO_ROOT, 'infra', 'node-flags.cjs')) as { NODE_FLAGS: string[] }
).NODE_FLAGS;

const tsxLoader = pathToFileURL(
  join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/loader.mjs'),
).href;

export interface SpawnServiceOptions {
  /** Entry file (absolute, or relative to the repo root), e.g. 'services/sim/src/main.ts'. */
  entry: string;
  args?: string[];
  /** Added to the environment; an `undefined` value removes that variable. */
  env?: Record<string, string | undefined>;
  /** Start from the parent's environment (default true). False: only PATH, HOME and `env`. */
  inheritEnv?: boolean;
  /** Default: the repo root. */
  cwd?: string;
  /** Label for error messages. Default: the entry's path. */
  name?: string;
  /** Extra node flags, e.g. ['--enable-source-maps']. */
  nodeArgs?: string[];
  /**
   * Write stdout and stderr (both as 'stdout' lines) to this file instead of pipes, read back only when
   * asked (waitForLine polls it): no process wakes per line written. For benchmarks, where a pipe reader
   * would compete with the processes measured.
   */
  outputFile?: string;
}

export interface OutputLine {
  stream: 'stdout' | 'stderr';
  text: string;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const running = new Set<ServiceProcess>();

export class ServiceProcess {
  readonly name: string;
  /** Every line, in arrival order. */
  readonly lines: OutputLine[] = [];
  private readonly child: ChildProcess;
  private readonly exitPromise: Promise<ExitStatus>;
  private exitStatus: ExitStatus | undefined;
  private readonly waiters = new Set<() => void>();
  /** File mode: the output file's descriptor, bytes read so far and an unterminated last line. */
  private readonly file: {
    fd: number;
    offset: number;
    partial: string;
    decoder: StringDecoder;
    closed: boolean;
  } | null;
  private poller: NodeJS.Timeout | undefined;

  constructor(opts: SpawnServiceOptions) {
    const cwd = opts.cwd ?? REPO_ROOT;
    const entry = resolve(REPO_ROOT, opts.entry);
    this.name = opts.name ?? opts.entry;
    const base: Record<string, string | undefined> =
      opts.inheritEnv === false ? { PATH: process.env.PATH, HOME: process.env.HOME } : { ...process.env };
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...base, ...opts.env })) if (v !== undefined) env[k] = v;
    const outFd = opts.outputFile === undefined ? null : openSync(opts.outputFile, 'w');
    this.file =
      outFd === null
        ? null
        : {
            fd: openSync(opts.outputFile as string, 'r'),
            offset: 0,
            partial: '',
            decoder: new StringDecoder('utf8'),
            closed: false,
          };
    try {
      this.child = spawn(
        process.execPath,
        [...NODE_FLAGS, ...(opts.nodeArgs ?? []), '--import', tsxLoader, entry, ...(opts.args ?? [])],
        { cwd, env, stdio: ['ignore', outFd ?? 'pipe', outFd ?? 'pipe'] },
      );
    } finally {
      if (outFd !== null) closeSync(outFd); // the child holds its own copy
    }
    if (!this.file) {
      for (const stream of ['stdout', 'stderr'] as const) {
        const rl = createInterface({ input: this.child[stream]!, crlfDelay: Number.POSITIVE_INFINITY });
        rl.on('line', (text) => {
          this.lines.push({ stream, text });
          this.notify();
        });
      }
    }
    this.exitPromise = new Promise((resolvePromise) => {
      const settle = (status: ExitStatus) => {
        if (this.exitStatus !== undefined) return;
        this.readFile(true);
        this.exitStatus = status;
        running.delete(this);
        this.notify();
        resolvePromise(status);
      };
      this.child.once('error', (e) => {
        this.lines.push({ stream: 'stderr', text: `spawn error: ${e.message}` });
        if (this.child.pid === undefined) settle({ code: null, signal: null });
      });
      // 'close' fires after the process exited and its stdio ended: every line has been read.
      this.child.once('close', (code, signal) => settle({ code, signal }));
    });
    running.add(this);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The exit status once exited (and its output fully read), else undefined. */
  get exit(): ExitStatus | undefined {
    return this.exitStatus;
  }

  get stdout(): string[] {
    this.readFile();
    return this.lines.filter((l) => l.stream === 'stdout').map((l) => l.text);
  }

  get stderr(): string[] {
    this.readFile();
    return this.lines.filter((l) => l.stream === 'stderr').map((l) => l.text);
  }

  /** All output as one text (both streams, arrival order): for secret scans. */
  output(): string {
    this.readFile();
    return this.lines.map((l) => l.text).join('\n');
  }

  /** stdout lines parsed as JSON (pino lines); other lines are skipped. */
  jsonLines(): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    for (const l of this.stdout) {
      if (!l.startsWith('{')) continue;
      try {
        out.push(JSON.parse(l) as Record<string, unknown>);
      } catch {
        // not JSON
      }
    }
    return out;
  }

  /**
   * The first line (from line index `from`, default 0: lines already seen count) matching `re`. Rejects
   * when the process exits first or on timeout, with the output's tail in the message.
   */
  waitForLine(re: RegExp, timeoutMs = 30_000, opts: { from?: number } = {}): Promise<string> {
    let index = opts.from ?? 0;
    return new Promise((resolvePromise, reject) => {
      const check = () => {
        for (; index < this.lines.length; index++) {
          const line = this.lines[index]!.text;
          if (re.test(line)) {
            finish();
            resolvePromise(line);
            return;
          }
        }
        if (this.exitStatus !== undefined) {
          finish();
          reject(
            new Error(
              `${this.name} exited (${describe(this.exitStatus)}) before a line matched ${re}${this.tail()}`,
            ),
          );
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`${this.name}: no line matched ${re} within ${timeoutMs} ms${this.tail()}`));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
        if (this.waiters.size === 0 && this.poller) {
          clearInterval(this.poller);
          this.poller = undefined;
        }
      };
      this.waiters.add(check);
      if (this.file && !this.poller) this.poller = setInterval(() => this.readFile(), 20);
      this.readFile();
      check();
    });
  }

  /** Resolves when the process has exited and its output has been read. */
  waitForExit(timeoutMs = 30_000): Promise<ExitStatus> {
    return new Promise((resolvePromise, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.name} did not exit within ${timeoutMs} ms${this.tail()}`)),
        timeoutMs,
      );
      void this.exitPromise.then((s) => {
        clearTimeout(timer);
        resolvePromise(s);
      });
    });
  }

  /** Sends a signal (default SIGTERM) and waits for the exit; SIGKILL after `timeoutMs`. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 20_000): Promise<ExitStatus> {
    if (this.exitStatus !== undefined) return this.exitStatus;
    this.child.kill(signal);
    const forced = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exitPromise;
    } finally {
      clearTimeout(forced);
    }
  }

  /** SIGKILL, like a crash. */
  kill(): Promise<ExitStatus> {
    return this.stop('SIGKILL');
  }

  /** Sends a signal without waiting. */
  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** File mode: appends the lines written since the last read (and, at exit, an unterminated last one). */
  private readFile(final = false): void {
    const f = this.file;
    if (!f || f.closed) return;
    const buf = Buffer.alloc(64 * 1024);
    let text = '';
    for (;;) {
      const n = readSync(f.fd, buf, 0, buf.length, f.offset);
      if (n === 0) break;
      f.offset += n;
      text += f.decoder.write(buf.subarray(0, n));
    }
    if (final) {
      text += f.decoder.end();
      f.closed = true;
      closeSync(f.fd);
    }
    if (text === '' && !(final && f.partial !== '')) return;
    const parts = (f.partial + text).split('\n');
    const rest = parts.pop() ?? '';
    f.partial = final ? '' : rest;
    if (final && rest !== '') parts.push(rest);
    for (const t of parts) this.lines.push({ stream: 'stdout', text: t });
    if (parts.length > 0) this.notify();
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }

  private tail(): string {
    const last = this.lines.slice(-30).map((l) => `  ${l.stream === 'stderr' ? '!' : '|'} ${l.text}`);
    return last.length > 0 ? `; last output:\n${last.join('\n')}` : '; no output';
  }
}

function describe(s: ExitStatus): string {
  return s.signal ? `signal ${s.signal}` : `code ${s.code}`;
}

/** Starts a service process (see ServiceProcess). */
export function spawnService(opts: SpawnServiceOptions): ServiceProcess {
  return new ServiceProcess(opts);
}

/** SIGKILLs every service process this test process started that is still running (afterAll safety net). */
export async function killAllServices(): Promise<void> {
  await Promise.all([...running].map((p) => p.kill()));
}
