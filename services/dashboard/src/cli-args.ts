import type { ControlCommandKind } from '@arb/bus/control-command';

export type CliCommand =
  | { kind: 'status'; watch: boolean; json: boolean; intervalMs: number | null }
  | { kind: 'control'; command: ControlCommandKind; yes: boolean; reason: string | null; waitMs: number }
  | {
      kind: 'ledger-export';
      format: 'csv' | 'json';
      out: string | null;
      from: number | null;
      to: number | null;
    }
  | { kind: 'help' };

export const CLI_USAGE = `Usage: npm run cli -- <command> [options]

  status [--watch] [--interval <ms>] [--json]
      The status line (books, spreads vs thresholds and break-even, feed ages, hedge, hold reason) and the
      daily stats block; --watch repeats it every STATUS_INTERVAL_MS (or --interval).
  pause  [--reason <text>] [--wait <ms>]     stop opening new hedges (closes still run)
  resume [--reason <text>] [--wait <ms>]     allow new hedges again
  flatten [--yes] [--reason <text>]          close every position on both venues (asks to confirm)
  kill    [--yes] [--reason <text>] [--wait <ms>]
                                             stop trading and flatten (asks to confirm)
  ledger-export --format csv|json [--out <file>] [--from <ISO time>] [--to <ISO time>]
      The ledger (every fill, hedge open/close with realized PnL) to stdout or a file.

Commands go through Redis to the risk service (the same path as the dashboard's buttons); pause, resume
and kill wait up to --wait ms (default 5000, 0 = do not wait) for risk to apply them.
Configuration (REDIS_URL, ARB_NAMESPACE, PAIR...) comes from the environment and .env.`;

export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}

const BOOLEAN_FLAGS = ['yes', 'watch', 'json', 'help'];
const VALUE_FLAGS = ['reason', 'wait', 'interval', 'format', 'out', 'from', 'to'];

function parseTime(flag: string, v: string): number {
  const t = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(t)) throw new CliUsageError(`${flag}: "${v}" is not an ISO time or epoch ms`);
  return t;
}

function parseMs(flag: string, v: string): number {
  if (!/^\d+$/.test(v)) throw new CliUsageError(`${flag}: "${v}" is not a whole number of milliseconds`);
  return Number(v);
}

/** Parses the CLI arguments (after the script name). Pure; throws CliUsageError with a clear message. */
export function parseCliArgs(argv: readonly string[]): CliCommand {
  const [cmd, ...rest] = argv;
  const flags = new Map<string, string | true>();
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (!a.startsWith('--')) throw new CliUsageError(`unexpected argument "${a}"`);
    const eq = a.indexOf('=');
    if (eq > 0) {
      flags.set(a.slice(2, eq), a.slice(eq + 1));
      continue;
    }
    const name = a.slice(2);
    const next = rest[i + 1];
    if (BOOLEAN_FLAGS.includes(name)) flags.set(name, true);
    else if (!VALUE_FLAGS.includes(name)) throw new CliUsageError(`unknown option --${name} for "${cmd}"`);
    else if (next === undefined || next.startsWith('--')) throw new CliUsageError(`--${name} needs a value`);
    else {
      flags.set(name, next);
      i++;
    }
  }
  const allow = (names: string[]) => {
    for (const k of flags.keys()) {
      if (!names.includes(k)) throw new CliUsageError(`unknown option --${k} for "${cmd}"`);
    }
  };
  const str = (k: string): string | null => {
    const v = flags.get(k);
    return typeof v === 'string' ? v : null;
  };
  switch (cmd) {
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      return { kind: 'help' };
    case 'status': {
      allow(['watch', 'json', 'interval']);
      const interval = str('interval');
      return {
        kind: 'status',
        watch: flags.has('watch'),
        json: flags.has('json'),
        intervalMs: interval === null ? null : Math.max(100, parseMs('--interval', interval)),
      };
    }
    case 'pause':
    case 'resume':
    case 'flatten':
    case 'kill': {
      allow(['yes', 'reason', 'wait']);
      const wait = str('wait');
      return {
        kind: 'control',
        command: cmd,
        yes: flags.has('yes'),
        reason: str('reason'),
        waitMs: wait === null ? 5000 : parseMs('--wait', wait),
      };
    }
    case 'ledger-export':
    case 'ledger': {
      allow(['format', 'out', 'from', 'to']);
      const format = str('format') ?? 'csv';
      if (format !== 'csv' && format !== 'json')
        throw new CliUsageError(`--format must be csv or json, not "${format}"`);
      const from = str('from');
      const to = str('to');
      return {
        kind: 'ledger-export',
        format,
        out: str('out'),
        from: from === null ? null : parseTime('--from', from),
        to: to === null ? null : parseTime('--to', to),
      };
    }
    default:
      throw new CliUsageError(`unknown command "${cmd}"`);
  }
}
