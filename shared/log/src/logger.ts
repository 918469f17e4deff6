import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';
import pretty from 'pino-pretty';
import { REDACTED, redact, registerSecrets, scrubString } from './redact';

export type { Logger } from 'pino';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface CreateLoggerOptions {
  /** Service name, on every line as `service`. */
  service: string;
  /** Default info. */
  level?: LogLevel;
  /** Human-readable output (pino-pretty, in-process). Default: when the destination is a TTY. */
  pretty?: boolean;
  /**
   * Secret values to scrub from every logged string from now on (process-wide, see registerSecrets):
   * pass `configSecrets(config)` from @arb/config.
   */
  secrets?: Iterable<string>;
  /** Where lines go. Default stdout. Tests pass a stream to capture real output. */
  destination?: DestinationStream | NodeJS.WritableStream;
}

/** Secret-named keys censored by pino itself at the first depths (defense in depth behind `redact`). */
const REDACT_KEYS = [
  'apiKey',
  'apiSecret',
  'secret',
  'secretKey',
  'privateKey',
  'signerPrivateKey',
  'password',
  'signature',
  'authorization',
  'Authorization',
  '"x-api-key"',
  '"X-API-Key"',
  '"X-Signature"',
  '"X-MBX-APIKEY"',
];
const REDACT_PATHS = REDACT_KEYS.flatMap((k) => {
  const key = k.startsWith('"') ? `[${k}]` : `.${k}`;
  return [key.startsWith('.') ? k : key, `*${key}`, `*.*${key}`, `*.*.*${key}`];
});

/**
 * A pino logger for one service. Every line is redacted (see ./redact): the merging object and the
 * bindings of child loggers are deep-copied with secret keys censored and strings scrubbed, the message
 * and format arguments are scrubbed, Errors are serialized with their cause. Per component, use
 * `logger.child({ component: 'ws' })`.
 */
export function createLogger(opts: CreateLoggerOptions): Logger {
  if (opts.secrets) registerSecrets(opts.secrets);
  const dest = opts.destination ?? process.stdout;
  const isTty = (dest as { isTTY?: boolean }).isTTY === true;
  const options: LoggerOptions = {
    level: opts.level ?? 'info',
    base: { service: opts.service, pid: process.pid },
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    serializers: { err: (e: unknown) => redact(e), error: (e: unknown) => redact(e) },
    formatters: { bindings: (b) => redact(b) as Record<string, unknown> },
    hooks: {
      logMethod(args, method) {
        method.apply(this, redactArgs(args as unknown[]) as Parameters<typeof method>);
      },
    },
  };
  if (opts.pretty ?? isTty) {
    const stream = pretty({
      colorize: isTty,
      sync: true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname',
      destination: dest as NodeJS.WritableStream,
    });
    return pino(options, stream);
  }
  return pino(options, dest as DestinationStream);
}

function redactArgs(args: unknown[]): unknown[] {
  const [first, ...rest] = args;
  const tail = rest.map((a) => (typeof a === 'string' ? scrubString(a) : redact(a)));
  if (first instanceof Error) {
    // pino would take err.message unscrubbed as the message; pass a redacted err and message instead.
    const err = redact(first);
    return typeof tail[0] === 'string' ? [{ err }, ...tail] : [{ err }, scrubString(first.message), ...tail];
  }
  if (typeof first === 'string') return [scrubString(first), ...tail];
  return [redact(first), ...tail];
}
