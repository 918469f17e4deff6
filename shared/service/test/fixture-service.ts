// A tiny real service used by run-service.int.test.ts: behaviour chosen by FIXTURE_MODE.
import pino from 'pino';
import { runService } from '../src/run-service';

const mode = process.env.FIXTURE_MODE ?? 'ok';
const log = pino({ base: { service: 'fixture' } });

await runService({
  name: 'fixture',
  log,
  healthPort: Number(process.env.FIXTURE_PORT ?? 0),
  shutdownTimeoutMs: 1000,
  async start(ctx) {
    if (mode === 'fail-start') throw new Error('cannot start: bad wiring');
    if (mode === 'fail-start-late') {
      await new Promise((r) => setTimeout(r, 1500));
      throw new Error('cannot start: venue unreachable');
    }
    ctx.setHealth(() => (mode === 'degraded' ? { ok: false, reason: 'feed stale' } : { ok: true }));
    if (mode === 'reject') setTimeout(() => void Promise.reject(new Error('boom')), 50);
    return async () => {
      if (mode === 'hang-stop') await new Promise(() => {});
      log.info('resources closed');
    };
  },
});
