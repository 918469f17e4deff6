import { type ChildProcess, fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** A bench helper process (tsx, with an IPC channel): ready -> collect samples -> stop. */

const tsxLoader = pathToFileURL(
  join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/loader.mjs'),
).href;

export const BENCH_SRC = dirname(fileURLToPath(import.meta.url));

type ChildMsg =
  | { type: 'ready'; [k: string]: unknown }
  | { type: 'samples'; samples: number[] }
  | { type: 'error'; message: string };

export class BenchChild {
  readonly proc: ChildProcess;
  private readonly inbox: ChildMsg[] = [];
  private wake: (() => void) | undefined;
  private stderr = '';

  constructor(
    readonly label: string,
    entry: string,
    args: string[],
    env: Record<string, string> = {},
  ) {
    this.proc = fork(join(BENCH_SRC, entry), args, {
      execArgv: ['--import', tsxLoader],
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.proc.stderr?.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4000);
    });
    this.proc.on('message', (m) => {
      this.inbox.push(m as ChildMsg);
      this.wake?.();
    });
    this.proc.on('exit', () => this.wake?.());
  }

  get pid(): number {
    return this.proc.pid ?? -1;
  }

  private async next<T extends ChildMsg['type']>(
    type: T,
    timeoutMs: number,
  ): Promise<Extract<ChildMsg, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.inbox.findIndex((m) => m.type === type || m.type === 'error');
      if (i >= 0) {
        const m = this.inbox.splice(i, 1)[0] as ChildMsg;
        if (m.type === 'error') throw new Error(`${this.label}: ${m.message}`);
        return m as Extract<ChildMsg, { type: T }>;
      }
      if (this.proc.exitCode !== null)
        throw new Error(`${this.label} exited ${this.proc.exitCode}: ${this.stderr}`);
      if (Date.now() > deadline)
        throw new Error(`${this.label}: no '${type}' within ${timeoutMs} ms: ${this.stderr}`);
      await new Promise<void>((r) => {
        this.wake = r;
        setTimeout(r, 200);
      });
    }
  }

  ready(timeoutMs = 60_000): Promise<Record<string, unknown>> {
    return this.next('ready', timeoutMs);
  }

  async collect(): Promise<number[]> {
    this.proc.send('collect');
    return (await this.next('samples', 30_000)).samples;
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const exited = new Promise((r) => this.proc.once('exit', r));
    this.proc.send('stop');
    const t = setTimeout(() => this.proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(t);
  }
}
