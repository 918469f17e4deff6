import { randomBytes } from 'node:crypto';
import { type ControlCommand, type ControlCommandKind, ControlCommandSchema } from '@arb/bus/control-command';
import { type ControlFlags, readControlFlags } from '@arb/bus/control-flags';
import type { RedisNames } from '@arb/bus/keys';
import { appendMessage } from '@arb/bus/stream';
import type { Redis } from 'ioredis';

export interface ControlRequest {
  command: ControlCommandKind;
  /** Who issues it: "cli:<user>", "dashboard:<user>". */
  by: string;
  reason?: string;
  pair?: string;
}

/**
 * The one implementation of "send a control command" (CLI and dashboard): a validated ControlCommand
 * appended to the durable command stream, which risk executes (flags, flatten legs). Returns the command.
 */
export async function sendControlCommand(
  redis: Redis,
  names: RedisNames,
  req: ControlRequest,
  now: number = Date.now(),
): Promise<ControlCommand & { entryId: string }> {
  const cmd: ControlCommand = {
    v: 1,
    id: `${req.command}-${now}-${randomBytes(4).toString('hex')}`,
    command: req.command,
    by: req.by,
    at: now,
    ...(req.pair === undefined ? {} : { pair: req.pair }),
    ...(req.reason === undefined || req.reason === '' ? {} : { reason: req.reason.slice(0, 200) }),
  };
  const entryId = await appendMessage(redis, names.commandStream, ControlCommandSchema, cmd);
  return { ...cmd, entryId };
}

/** The flags a command leads to once risk has applied it; null when it sets none (flatten). */
export function expectedFlags(command: ControlCommandKind): Partial<ControlFlags> | null {
  switch (command) {
    case 'pause':
      return { paused: true };
    case 'resume':
      return { paused: false };
    case 'kill':
      return { killed: true };
    case 'flatten':
      return null;
  }
}

/**
 * Waits until the control flags show the command's effect (written at or after the command), or the
 * timeout passes. Returns the flags seen last and whether they match.
 */
export async function waitForControlEffect(
  redis: Redis,
  names: RedisNames,
  cmd: Pick<ControlCommand, 'command' | 'at'>,
  timeoutMs: number,
  pollMs = 100,
): Promise<{ applied: boolean; flags: ControlFlags }> {
  const want = expectedFlags(cmd.command);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const flags = await readControlFlags(redis, names);
    const fresh = (flags.updatedAt ?? 0) >= cmd.at;
    const matches =
      want !== null && Object.entries(want).every(([k, v]) => flags[k as keyof ControlFlags] === v);
    if (want !== null && matches && fresh) return { applied: true, flags };
    if (Date.now() >= deadline) return { applied: false, flags };
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
