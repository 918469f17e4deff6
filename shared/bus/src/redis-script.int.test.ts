import { type RedisFixture, redisFixture } from '@arb/testkit/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisScript, runScript, runScriptInOrder } from './redis-script';

const ECHO_INCR: RedisScript = {
  name: 'arbTestEchoIncr',
  keys: 1,
  lua: `return {redis.call('INCRBY', KEYS[1], ARGV[1]), ARGV[2]}`,
};

let fx: RedisFixture;
beforeAll(async () => {
  fx = await redisFixture({ prefix: 'script' });
});
afterAll(async () => {
  await fx.cleanup();
});

describe('runScript', () => {
  it('runs by SHA, reloads after the script cache is lost (NOSCRIPT) and checks the key count', async () => {
    const k = `${fx.ns}:n`;
    expect(await runScript(fx.redis, ECHO_INCR, [k], [2, 'a'])).toEqual([2, 'a']);
    expect(await runScript(fx.redis, ECHO_INCR, [k], [3, 'b'])).toEqual([5, 'b']);
    // As after a Redis restart. (Other files' scripts on this Redis reload the same way.)
    await fx.redis.script('FLUSH');
    expect(await runScript(fx.redis, ECHO_INCR, [k], [1, 'c'])).toEqual([6, 'c']);
    expect(() => runScript(fx.redis, ECHO_INCR, [k, k], [1, 'd'])).toThrow(/takes 1 keys/);
  });

  it('by text, in order: a command sent right after it sees its effect, even with an empty script cache', async () => {
    const k = `${fx.ns}:ordered`;
    await fx.redis.script('FLUSH');
    const ran = runScriptInOrder(fx.redis, ECHO_INCR, [k], [5, 'x']);
    const seen = fx.redis.get(k); // sent after, not awaited in between
    expect(await ran).toEqual([5, 'x']);
    expect(await seen).toBe('5');
  });
});
