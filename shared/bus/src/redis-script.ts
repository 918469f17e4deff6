import type { Redis } from 'ioredis';

/** A Lua script with a fixed number of KEYS, run by SHA (EVALSHA) once registered on a connection. */
export interface RedisScript {
  /** Unique per script: the command name ioredis registers on each connection. */
  readonly name: string;
  readonly lua: string;
  readonly keys: number;
}

type ScriptCommand = (...keysThenArgs: (string | number)[]) => Promise<unknown>;

/**
 * Runs `script` on `redis`: registered once per connection with ioredis `defineCommand`, which sends
 * EVALSHA (the script's hash, not its text) and falls back to EVAL once when Redis lost its script cache
 * (restart, SCRIPT FLUSH). Hot paths pay one round trip and no script transfer.
 */
export function runScript(
  redis: Redis,
  script: RedisScript,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  checkKeys(script, keys);
  const commands = redis as unknown as Record<string, ScriptCommand | undefined>;
  let command = commands[script.name];
  if (command === undefined) {
    redis.defineCommand(script.name, { lua: script.lua, numberOfKeys: script.keys });
    command = commands[script.name] as ScriptCommand;
  }
  return command.call(redis, ...keys, ...args);
}

/**
 * Runs `script` by its text (EVAL). For a call whose order relative to the commands sent after it on the
 * same connection matters: a NOSCRIPT answer to EVALSHA makes ioredis re-send the script AFTER them.
 */
export function runScriptInOrder(
  redis: Redis,
  script: RedisScript,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  checkKeys(script, keys);
  return redis.eval(script.lua, keys.length, ...keys, ...args);
}

function checkKeys(script: RedisScript, keys: readonly string[]): void {
  if (keys.length !== script.keys) {
    throw new Error(`script ${script.name} takes ${script.keys} keys, got ${keys.length}`);
  }
}
