import { bullConnection } from '@arb/bus/bull-connection';
import { redisNames } from '@arb/bus/keys';
import { closeOrderQueues, createOrderQueues } from '@arb/bus/order-queues';
import { VENUES } from '@arb/core/venue';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Credentials } from './basic-auth';
import { createDashboardServer, type DashboardServer } from './dashboard-server';
import { registerPipelineMetrics } from './pipeline-metrics';
import type { StatusConfig } from './status-snapshot';

export interface DashboardSettings {
  redisUrl: string;
  namespace: string;
  status: StatusConfig;
  auth: Credentials;
  host: string;
  /** 0 = any free port. */
  port: number;
  registry: Registry;
  log: Logger;
  throttleMs?: number;
  heartbeatMs?: number;
}

export interface RunningDashboard {
  url: string;
  server: DashboardServer;
  stop(): Promise<void>;
}

/** Connects Redis (commands + subscriber) and the order queues, registers the metrics, listens. */
export async function startDashboard(s: DashboardSettings): Promise<RunningDashboard> {
  const names = redisNames(s.namespace);
  const redis = new Redis(s.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 3 });
  const subscriber = new Redis(s.redisUrl, { lazyConnect: true, maxRetriesPerRequest: null });
  for (const c of [redis, subscriber]) c.on('error', (err) => s.log.warn({ err }, 'redis connection error'));
  await Promise.all([redis.connect(), subscriber.connect()]);
  const queues = createOrderQueues(bullConnection(s.redisUrl), names);
  const queueList = VENUES.map((v) => queues[v]);
  registerPipelineMetrics({ registry: s.registry, redis, names, config: s.status, queues: queueList });
  const server = await createDashboardServer({
    redis,
    subscriber,
    names,
    config: s.status,
    auth: s.auth,
    queues: queueList,
    registry: s.registry,
    log: s.log,
    ...(s.throttleMs === undefined ? {} : { throttleMs: s.throttleMs }),
    ...(s.heartbeatMs === undefined ? {} : { heartbeatMs: s.heartbeatMs }),
  });
  const url = await server.listen(s.port, s.host);
  return {
    url,
    server,
    async stop() {
      await server.close();
      await closeOrderQueues(queues);
      await Promise.all([redis.quit().catch(() => {}), subscriber.quit().catch(() => {})]);
    },
  };
}
