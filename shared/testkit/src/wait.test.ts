import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort, sleep, WaitTimeoutError, waitFor } from './wait';

describe('waitFor', () => {
  it('returns the first truthy value', async () => {
    let n = 0;
    const v = await waitFor(() => (++n >= 3 ? { n } : undefined), { intervalMs: 1 });
    expect(v).toEqual({ n: 3 });
  });
  it('treats a throwing condition as not yet', async () => {
    let n = 0;
    await expect(
      waitFor(
        () => {
          n += 1;
          if (n < 3) throw new Error('not yet');
          return true;
        },
        { intervalMs: 1 },
      ),
    ).resolves.toBe(true);
  });
  it('times out naming the condition, with the last error as cause', async () => {
    const err = await waitFor(
      () => {
        throw new Error('boom');
      },
      { timeoutMs: 30, intervalMs: 5, message: 'the thing' },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WaitTimeoutError);
    expect((err as Error).message).toContain('the thing not met within 30 ms');
    expect(((err as Error).cause as Error).message).toBe('boom');
  });
  it('takes a bare number as the timeout', async () => {
    await expect(waitFor(() => false, 20)).rejects.toThrow(/within 20 ms/);
  });
  it('sleeps', async () => {
    await sleep(1);
  });
});

describe('freePort', () => {
  it('returns a port that can be bound', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    const srv = createServer();
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(port, '127.0.0.1', () => resolve());
    });
    await new Promise((r) => srv.close(r));
  });
});
