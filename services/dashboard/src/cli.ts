import { writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { redisNames } from '@arb/bus/keys';
import { type AppConfig, ConfigError, loadConfig } from '@arb/config/config';
import { Redis } from 'ioredis';
import { CLI_USAGE, type CliCommand, CliUsageError, parseCliArgs } from './cli-args';
import { expectedFlags, sendControlCommand, waitForControlEffect } from './control';
import { formatLedger, readLedger } from '@arb/bus/ledger-export';
import { renderStatus } from './status-line';
import { readStatusSnapshot } from './status-snapshot';

/**
 * The operator CLI: status (once or --watch), pause, resume, flatten, kill, ledger-export.
 * Exit codes: 0 done; 1 failure (Redis, config); 2 usage; 3 not confirmed / not applied in time.
 */
export interface CliIo {
  out: (s: string) => void;
  err: (s: string) => void;
  /** Asks a question on the terminal; null when there is no terminal to ask on. */
  ask: ((question: string) => Promise<string>) | null;
}

const CONFIRM_TEXT: Partial<Record<string, string>> = {
  flatten: 'This closes every open position on both venues now.',
  kill: 'This stops all trading and flattens every position.',
};

function who(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

export async function runCli(argv: readonly string[], io: CliIo, config?: AppConfig): Promise<number> {
  let cmd: CliCommand;
  try {
    cmd = parseCliArgs(argv);
  } catch (e) {
    if (!(e instanceof CliUsageError)) throw e;
    io.err(`${e.message}\n\n${CLI_USAGE}\n`);
    return 2;
  }
  if (cmd.kind === 'help') {
    io.out(`${CLI_USAGE}\n`);
    return 0;
  }
  let cfg: AppConfig;
  try {
    cfg = config ?? loadConfig();
  } catch (e) {
    io.err(`${e instanceof ConfigError ? e.message : String(e)}\n`);
    return 1;
  }
  const names = redisNames(cfg.redis.namespace);
  const redis = new Redis(cfg.redis.url, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 5000,
  });
  redis.on('error', () => {
    // Reported by the failing command.
  });
  try {
    await redis.connect();
  } catch (e) {
    io.err(`cannot reach Redis at ${maskUrl(cfg.redis.url)}: ${(e as Error).message}\n`);
    redis.disconnect();
    return 1;
  }
  try {
    switch (cmd.kind) {
      case 'status': {
        const print = async () => {
          const snap = await readStatusSnapshot(redis, names, cfg);
          io.out(cmd.json ? `${JSON.stringify(snap)}\n` : `${renderStatus(snap)}\n`);
        };
        await print();
        if (!cmd.watch) return 0;
        const every = cmd.intervalMs ?? cfg.statusIntervalMs;
        await new Promise<void>((done) => {
          const timer = setInterval(() => {
            print().catch((e) => io.err(`status failed: ${(e as Error).message}\n`));
          }, every);
          const stop = () => {
            clearInterval(timer);
            done();
          };
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        return 0;
      }
      case 'control': {
        const warning = CONFIRM_TEXT[cmd.command];
        if (warning && !cmd.yes) {
          if (!io.ask) {
            io.err(`${cmd.command}: ${warning} Not confirmed: pass --yes (no terminal to ask on).\n`);
            return 3;
          }
          const answer = await io.ask(`${warning}\nType "${cmd.command}" to confirm: `);
          if (answer.trim() !== cmd.command) {
            io.err(`${cmd.command} cancelled\n`);
            return 3;
          }
        }
        const sent = await sendControlCommand(redis, names, {
          command: cmd.command,
          by: who(),
          pair: cfg.pair,
          ...(cmd.reason === null ? {} : { reason: cmd.reason }),
        });
        io.out(`${cmd.command} sent (id ${sent.id}, namespace ${cfg.redis.namespace})\n`);
        if (expectedFlags(cmd.command) === null || cmd.waitMs === 0) return 0;
        const { applied, flags } = await waitForControlEffect(redis, names, sent, cmd.waitMs);
        if (applied) {
          io.out(
            `applied by risk: paused=${flags.paused} killed=${flags.killed} reconciled=${flags.reconciled}\n`,
          );
          return 0;
        }
        io.err(
          `not applied within ${cmd.waitMs} ms (is the risk service running?). The command stays queued in Redis and runs when risk reads it.\n`,
        );
        return 3;
      }
      case 'ledger-export': {
        const { rows, rejected } = await readLedger(redis, names, {
          ...(cmd.from === null ? {} : { from: cmd.from }),
          ...(cmd.to === null ? {} : { to: cmd.to }),
        });
        const text = formatLedger(rows, cmd.format);
        if (cmd.out === null) io.out(text);
        else {
          const path = resolve(cmd.out);
          await writeFile(path, text);
          io.err(`${rows.length} ledger entries written to ${path}\n`);
        }
        if (rejected > 0) io.err(`warning: ${rejected} invalid ledger entries skipped\n`);
        return 0;
      }
    }
  } catch (e) {
    io.err(`${(e as Error).message}\n`);
    return 1;
  } finally {
    await redis.quit().catch(() => redis.disconnect());
  }
}

function maskUrl(url: string): string {
  return url.replace(/(\/\/[^:/\s@]*:)[^@\s/]*@/g, '$1***@');
}

const isMain =
  process.argv[1] !== undefined && resolve(process.argv[1]) === new URL(import.meta.url).pathname;
if (isMain) {
  const ask = process.stdin.isTTY
    ? async (q: string) => {
        const rl = createInterface({ input: process.stdin, output: process.stderr });
        try {
          return await rl.question(q);
        } finally {
          rl.close();
        }
      }
    : null;
  const code = await runCli(process.argv.slice(2), {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    ask,
  });
  process.exitCode = code;
}
