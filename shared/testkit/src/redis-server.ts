import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';
import { sleep } from './wait';

/**
 * A private redis-server for fault tests: its own free port and temp data dir, optional AOF
 * (appendonly yes, appendfsync always, so an acknowledged write survives SIGKILL), `kill()` (SIGKILL, as
 * a crash), `restart()` on the same port and data dir, `stop()` (clean shutdown and dir removal).
 */
export interface RedisServerOptions {
  /** AOF with fsync on every write. Default false (no persistence at all). */
  aof?: boolean;
  /** Default: a free port. */
  port?: number;
  /** Default: `redis-server` on PATH. */
  binary?: string;
  /** Extra arguments, e.g. ['--maxmemory', '64mb']. */
  args?: string[];
  /** How long to wait for the server to answer PING. Default 20 s. */
  startTimeoutMs?: number;
}

export class RedisServer {
  readonly host = '127.0.0.1';
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private output: string[] = [];

  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly opts: RedisServerOptions,
  ) {}

  /** Starts a server; retries on another free port if the chosen one was taken meanwhile. */
  static async start(opts: RedisServerOptions = {}): Promise<RedisServer> {
    const dir = mkdtempSync(join(tmpdir(), 'arb-redis-'));
    let lastError: unknown;
    for (let attempt = 0; attempt < (opts.port === undefined ? 4 : 1); attempt++) {
      const server = new RedisServer(opts.port ?? (await freePort()), dir, opts);
      try {
        await server.launch();
        return server;
      } catch (e) {
        lastError = e;
        await server.kill().catch(() => undefined);
      }
    }
    rmSync(dir, { recursive: true, force: true });
    throw lastError;
  }

  get url(): string {
    return `redis://${this.host}:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Everything the server printed (its log goes to stdout). */
  get log(): string {
    return this.output.join('');
  }

  private async launch(): Promise<void> {
    const args = [
      '--port',
      String(this.port),
      '--bind',
      this.host,
      '--dir',
      this.dir,
      '--daemonize',
      'no',
      '--protected-mode',
      'no',
      '--save',
      '',
      '--maxmemory-policy',
      'noeviction',
      '--logfile',
      '',
      ...(this.opts.aof ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
      ...(this.opts.args ?? []),
    ];
    const child = spawn(this.opts.binary ?? 'redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const append = (b: Buffer) => {
      this.output.push(b.toString());
      if (this.output.length > 2000) this.output.splice(0, 1000);
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    this.exited = new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.once('error', (e) => {
        this.output.push(`spawn error: ${e.message}\n`);
        resolve();
      });
    });
    const deadline = Date.now() + (this.opts.startTimeoutMs ?? 20_000);
    for (;;) {
      if (!this.running) {
        throw new Error(`redis-server on port ${this.port} exited during start:\n${this.log.slice(-2000)}`);
      }
      if ((await ping(this.host, this.port)) === '+PONG') return;
      if (Date.now() > deadline) {
        throw new Error(`redis-server on port ${this.port} did not answer PING:\n${this.log.slice(-2000)}`);
      }
      await sleep(25);
    }
  }

  /** SIGKILL, like a crash; resolves when the process is gone. Data not yet fsynced is lost. */
  async kill(): Promise<void> {
    if (this.running) this.child?.kill('SIGKILL');
    // (SIGKILL also ends a frozen process.)
    await this.exited;
  }

  /** SIGSTOP: the server hangs (connections stay open, nothing answers) until `thaw()`. */
  freeze(): void {
    if (this.running) this.child?.kill('SIGSTOP');
  }

  /** SIGCONT after `freeze()`. */
  thaw(): void {
    if (this.running) this.child?.kill('SIGCONT');
  }

  /** Starts the server again on the same port and data dir (after kill or stop), e.g. to replay AOF. */
  async restart(): Promise<void> {
    if (this.running) await this.kill();
    const deadline = Date.now() + (this.opts.startTimeoutMs ?? 20_000);
    for (;;) {
      try {
        await this.launch();
        return;
      } catch (e) {
        // The port may linger for a moment after a kill; retry until the deadline.
        await this.kill();
        if (Date.now() > deadline) throw e;
        await sleep(100);
      }
    }
  }

  /** SIGTERM (Redis shuts down cleanly), then removes the data dir. */
  async stop(): Promise<void> {
    if (this.running) {
      this.child?.kill('SIGCONT');
      this.child?.kill('SIGTERM');
      const forced = setTimeout(() => this.child?.kill('SIGKILL'), 10_000);
      await this.exited;
      clearTimeout(forced);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Starts a private redis-server (see RedisServer). */
export function startRedisServer(opts: RedisServerOptions = {}): Promise<RedisServer> {
  return RedisServer.start(opts);
}

/** One raw PING over TCP: the first reply line, or undefined when nothing answers. */
function ping(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const sock = createConnection({ host, port });
    let buf = '';
    const done = (v: string | undefined) => {
      sock.destroy();
      resolve(v);
    };
    sock.setTimeout(1000, () => done(undefined));
    sock.once('error', () => done(undefined));
    sock.once('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d) => {
      buf += d.toString();
      const nl = buf.indexOf('\r\n');
      if (nl >= 0) done(buf.slice(0, nl));
    });
  });
}
