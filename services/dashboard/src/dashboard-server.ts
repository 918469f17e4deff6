import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONTROL_COMMANDS, type ControlCommandKind } from '@arb/bus/control-command';
import type { RedisNames } from '@arb/bus/keys';
import { redact } from '@arb/log/redact';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import { basicAuthUser, type Credentials, checkBasicAuth } from './basic-auth';
import { sendControlCommand } from './control';
import { LiveHub } from './live-hub';
import type { StatusConfig } from './status-snapshot';

export interface DashboardServerOptions {
  redis: Redis;
  /** A dedicated connection for SUBSCRIBE (quote channels and state notices). */
  subscriber: Redis;
  names: RedisNames;
  config: StatusConfig;
  auth: Credentials;
  /** The order queues shown in Bull Board (read-only). */
  queues: readonly Queue[];
  /** Served on /metrics (no auth, for Prometheus); register pipeline gauges on it. */
  registry: Registry;
  log: Logger;
  throttleMs?: number;
  heartbeatMs?: number;
}

export interface DashboardServer {
  app: FastifyInstance;
  hub: LiveHub;
  listen(port: number, host: string): Promise<string>;
  close(): Promise<void>;
}

const WEB_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'web');
const UPLOT_DIR = dirname(createRequire(import.meta.url).resolve('uplot'));
const OPEN_PATHS = new Set(['/healthz', '/metrics']);
const STATIC: Record<string, { file: string; type: string }> = {
  '/': { file: join(WEB_DIR, 'index.html'), type: 'text/html; charset=utf-8' },
  '/assets/app.js': { file: join(WEB_DIR, 'app.js'), type: 'text/javascript; charset=utf-8' },
  '/assets/app.css': { file: join(WEB_DIR, 'app.css'), type: 'text/css; charset=utf-8' },
  '/assets/uPlot.iife.min.js': {
    file: join(UPLOT_DIR, 'uPlot.iife.min.js'),
    type: 'text/javascript; charset=utf-8',
  },
  '/assets/uPlot.min.css': { file: join(UPLOT_DIR, 'uPlot.min.css'), type: 'text/css; charset=utf-8' },
};
/** Bytes an SSE client may leave unread before it is dropped. */
const MAX_SSE_BUFFER = 4 * 1024 * 1024;
/** Custom header every control request must carry: cross-site forms cannot set it (CSRF guard). */
export const CONTROL_HEADER = 'x-arb-dashboard';

/**
 * The dashboard: live page (static HTML/JS + uPlot, Server-Sent Events), JSON snapshot, control commands,
 * Bull Board under /queues, /metrics and /healthz. Everything but /healthz and /metrics needs HTTP Basic
 * credentials. Control commands also need a JSON body naming the command twice (`command` and `confirm`,
 * the page's confirmation step) and the CONTROL_HEADER.
 */
export async function createDashboardServer(o: DashboardServerOptions): Promise<DashboardServer> {
  const app = Fastify({ logger: false, disableRequestLogging: true, bodyLimit: 16 * 1024 });
  const hub = new LiveHub({
    redis: o.redis,
    subscriber: o.subscriber,
    names: o.names,
    config: o.config,
    ...(o.throttleMs === undefined ? {} : { throttleMs: o.throttleMs }),
    ...(o.heartbeatMs === undefined ? {} : { heartbeatMs: o.heartbeatMs }),
    onError: (err) => o.log.warn({ err }, 'live update failed'),
  });

  const authFailures = new Counter({
    name: 'arb_dashboard_auth_failures_total',
    help: 'Requests refused for missing or wrong credentials',
    registers: [o.registry],
  });
  const commands = new Counter({
    name: 'arb_dashboard_control_commands_total',
    help: 'Control commands sent from the dashboard',
    labelNames: ['command'],
    registers: [o.registry],
  });
  new Gauge({
    name: 'arb_dashboard_live_clients',
    help: 'Open live-update (SSE) connections',
    registers: [o.registry],
    collect() {
      this.set(hub.listenerCount());
    },
  });

  app.addHook('onRequest', async (req, reply) => {
    const path = req.url.split('?')[0] ?? '';
    if (OPEN_PATHS.has(path)) return;
    if (checkBasicAuth(req.headers.authorization, o.auth)) return;
    authFailures.inc();
    await reply
      .code(401)
      .header('www-authenticate', 'Basic realm="arb dashboard", charset="UTF-8"')
      .type('text/plain')
      .send('authentication required');
  });
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    return payload;
  });

  app.get('/healthz', async (_req, reply) => {
    try {
      await o.redis.ping();
      return { ok: true, liveUpdates: hub.updates };
    } catch (err) {
      return reply.code(503).send({ ok: false, reason: `redis: ${(err as Error).message}` });
    }
  });
  app.get('/metrics', async (_req, reply) => {
    const body = await o.registry.metrics();
    return reply.type(o.registry.contentType).send(body);
  });

  for (const [path, { file, type }] of Object.entries(STATIC)) {
    app.get(path, async (_req, reply) => {
      const body = await readFile(file);
      return reply.type(type).header('cache-control', 'no-cache').send(body);
    });
  }

  app.get('/api/snapshot', async () => {
    const latest = hub.latest();
    return { ...latest, history: hub.chartHistory() };
  });

  app.get('/api/events', (req, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    let unsubscribe = () => {};
    const send = (event: string, data: unknown) => {
      // A client that stopped reading is dropped instead of buffering updates without bound.
      if (res.writableLength > MAX_SSE_BUFFER) {
        unsubscribe();
        res.destroy();
        return;
      }
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    send('history', hub.chartHistory());
    const latest = hub.latest();
    if (latest) send('update', latest);
    unsubscribe = hub.subscribe((u) => send('update', u));
    const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
    req.raw.on('close', () => {
      clearInterval(ping);
      unsubscribe();
    });
  });

  app.post('/api/control', async (req, reply) => {
    if (req.headers[CONTROL_HEADER] !== '1') {
      return reply.code(403).send({ ok: false, error: `missing ${CONTROL_HEADER} header` });
    }
    const body = (req.body ?? {}) as Record<string, unknown>;
    const command = body.command;
    if (typeof command !== 'string' || !(CONTROL_COMMANDS as readonly string[]).includes(command)) {
      return reply
        .code(400)
        .send({ ok: false, error: `command must be one of ${CONTROL_COMMANDS.join(', ')}` });
    }
    if (body.confirm !== command) {
      return reply.code(400).send({ ok: false, error: 'not confirmed: "confirm" must repeat the command' });
    }
    const reason = typeof body.reason === 'string' ? body.reason : undefined;
    const user = basicAuthUser(req.headers.authorization) ?? 'unknown';
    const cmd = await sendControlCommand(o.redis, o.names, {
      command: command as ControlCommandKind,
      by: `dashboard:${user}`,
      pair: o.config.pair,
      ...(reason === undefined ? {} : { reason }),
    });
    commands.inc({ command });
    o.log.info({ command, id: cmd.id, by: cmd.by }, 'control command sent');
    return { ok: true, command: cmd };
  });

  // Bull Board, read-only: legs are placed by order workers under risk's control, never retried by hand.
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath('/queues');
  const adapters = o.queues.map((q) => {
    const a = new BullMQAdapter(q, { readOnlyMode: true, prefix: '', displayName: q.name });
    a.setFormatter('data', (d: unknown) => redact(d));
    a.setFormatter('returnValue', (d: unknown) => redact(d));
    return a;
  });
  createBullBoard({
    queues: adapters,
    serverAdapter,
    options: { uiConfig: { boardTitle: 'arb queues' } },
  });
  await app.register(serverAdapter.registerPlugin(), { prefix: '/queues' });

  await hub.start();
  return {
    app,
    hub,
    async listen(port, host) {
      return app.listen({ port, host });
    },
    async close() {
      await hub.stop();
      await app.close();
    },
  };
}
