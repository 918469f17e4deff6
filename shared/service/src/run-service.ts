import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';

/** What a service reports on /healthz: ok, or degraded with a reason (503). */
export type HealthReport =
  | { ok: true; details?: Record<string, unknown> }
  | { ok: false; reason: string; details?: Record<string, unknown> };

export interface ServiceContext {
  readonly name: string;
  readonly log: Logger;
  /** The service's Prometheus registry (default process metrics included), served on /metrics. */
  readonly metrics: Registry;
  /** Sets the health probe used by /healthz (default: ok once started). */
  setHealth(probe: () => HealthReport | Promise<HealthReport>): void;
}

export interface RunServiceOptions {
  name: string;
  log: Logger;
  /** Port of the /healthz + /metrics server; 0 picks a free one; null disables it. */
  healthPort: number | null;
  healthHost?: string;
  /** Upper bound on a clean stop; past it the process exits non-zero so the supervisor takes over. */
  shutdownTimeoutMs?: number;
  /** Builds and starts the service; returns its stop function (close workers, subscribers, queues, Redis). */
  start(ctx: ServiceContext): Promise<() => Promise<void>>;
  /** Test seam: what to do instead of process.exit. */
  exit?: (code: number) => void;
}

export interface RunningService {
  readonly healthUrl: string | null;
  /** Stops the service as SIGTERM would. */
  stop(): Promise<void>;
}

/**
 * The one lifecycle every service's main.ts shares: start, log "ready", serve /healthz and /metrics,
 * stop in reverse order on SIGTERM/SIGINT under a timeout, and exit non-zero on an unhandled rejection
 * or uncaught exception so the supervisor restarts the service.
 */
export async function runService(opts: RunServiceOptions): Promise<RunningService> {
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  const log = opts.log;
  const metrics = new Registry();
  metrics.setDefaultLabels({ service: opts.name });
  collectDefaultMetrics({ register: metrics });
  let probe: () => HealthReport | Promise<HealthReport> = () => ({ ok: true });
  let started = false;

  const ctx: ServiceContext = {
    name: opts.name,
    log,
    metrics,
    setHealth: (p) => {
      probe = p;
    },
  };

  const server = opts.healthPort === null ? null : http.createServer((req, res) => void serve(req, res));
  async function serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    try {
      if (req.url === '/metrics') {
        const body = await metrics.metrics();
        res.writeHead(200, { 'content-type': metrics.contentType }).end(body);
        return;
      }
      if (req.url === '/healthz') {
        const report: HealthReport = started ? await probe() : { ok: false, reason: 'starting' };
        res
          .writeHead(report.ok ? 200 : 503, { 'content-type': 'application/json' })
          .end(JSON.stringify({ service: opts.name, uptimeSec: Math.round(process.uptime()), ...report }));
        return;
      }
      res.writeHead(404).end();
    } catch (err) {
      log.error({ err }, 'health endpoint failed');
      res.writeHead(500).end();
    }
  }

  let healthUrl: string | null = null;
  if (server) {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.healthPort ?? 0, opts.healthHost ?? '127.0.0.1', () => resolve());
    });
    const addr = server.address() as AddressInfo;
    healthUrl = `http://${opts.healthHost ?? '127.0.0.1'}:${addr.port}`;
  }

  // close() alone waits for every open connection, and a connection with no request on it yet (a health
  // poller's, on a loaded machine) counts until its headers timeout: a failed service lingered ~90 s.
  const closeHealthServer = (): Promise<void> =>
    new Promise<void>((resolve) => {
      if (!server) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
    });

  let stopService: (() => Promise<void>) | null = null;
  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      log.info('stopping');
      const timeoutMs = opts.shutdownTimeoutMs ?? 10_000;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      const outcome = await Promise.race([
        (stopService?.() ?? Promise.resolve()).then(() => 'done' as const),
        timedOut,
      ]);
      clearTimeout(timer);
      await closeHealthServer();
      if (outcome === 'timeout') {
        log.error({ timeoutMs }, 'clean stop timed out');
        exit(1);
        return;
      }
      log.info('stopped');
    })();
    return stopping;
  };

  const onSignal = (signal: NodeJS.Signals) => {
    log.info({ signal }, 'signal received');
    void stop().then(() => exit(0));
  };
  const onFatal = (kind: string) => (err: unknown) => {
    log.fatal({ err, kind }, 'fatal error; exiting so the supervisor restarts the service');
    exit(1);
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  process.on('unhandledRejection', onFatal('unhandledRejection'));
  process.on('uncaughtException', onFatal('uncaughtException'));

  try {
    stopService = await opts.start(ctx);
  } catch (err) {
    log.fatal({ err }, 'start failed');
    await closeHealthServer();
    exit(1);
    throw err;
  }
  started = true;
  log.info({ healthUrl }, 'ready');
  return { healthUrl, stop };
}
