/**
 * Measures the per-call cost of RateBudget.take() and observe() against a real Redis (REDIS_URL or the
 * local default): `npx tsx src/rate-budget.measure.ts [calls]` (default 2000). Sequential calls from one
 * process, like the order worker's hot path, back to back and spaced by ~1 ms of idle I/O wait (as
 * requests are: background top-ups land in between). `allowance 0` is the Redis path (EVALSHA) a take
 * falls back to. Prints percentiles in microseconds; not a test (no assertions).
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RateBudget } from './rate-budget';

const n = Number(process.argv[2] ?? 2000);
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');

async function measure(label: string, gapMs: number, fn: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < 200; i++) await fn(); // warm-up: JIT, script load, connection
  const us: number[] = [];
  for (let i = 0; i < n; i++) {
    if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
    const t0 = performance.now();
    await fn();
    us.push((performance.now() - t0) * 1000);
  }
  us.sort((a, b) => a - b);
  const q = (p: number) => us[Math.min(us.length - 1, Math.floor(p * us.length))]?.toFixed(1);
  const mean = us.reduce((s, x) => s + x, 0) / us.length;
  console.log(`${label}: n=${n} mean=${mean.toFixed(1)} p50=${q(0.5)} p90=${q(0.9)} p99=${q(0.99)} µs`);
}

for (const allowance of [0, 20]) {
  const key = `measure-${randomBytes(4).toString('hex')}:rate:aster`;
  const budget = new RateBudget({ redis, venue: 'aster', key, limit: 1e9, windowMs: 60_000, allowance });
  const take = () => budget.take(1, 'POST /fapi/v3/order');
  await measure(`allowance ${allowance}: take(1) back to back`, 0, take);
  await measure(`allowance ${allowance}: take(1) every ~1 ms`, 1, take);
  await measure(`allowance ${allowance}: observe(1)`, 0, () => budget.observe(1));
  await budget.clear();
}
redis.disconnect();
