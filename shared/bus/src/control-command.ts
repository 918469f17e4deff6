import { z } from 'zod';

/**
 * An operator command. Issued by the CLI or the dashboard; executed by risk (which sets control flags,
 * control-flags.ts, and enqueues flatten legs).
 * Travels: the durable stream `names.commandStream` (stream.ts appendMessage / StreamConsumer).
 */
export const CONTROL_COMMANDS = ['pause', 'resume', 'flatten', 'kill'] as const;
export type ControlCommandKind = (typeof CONTROL_COMMANDS)[number];

export const ControlCommandSchema = z.object({
  v: z.literal(1),
  /** Unique id, so a command delivered twice is executed once. */
  id: z.string().min(1).max(64),
  command: z.enum(CONTROL_COMMANDS),
  /** Pair it applies to; absent = all pairs. */
  pair: z.string().min(1).optional(),
  /** Who issued it (user name, "cli", "dashboard:alice"...). */
  by: z.string().min(1),
  reason: z.string().optional(),
  /** Epoch ms when issued. */
  at: z.number().int().nonnegative(),
});
export type ControlCommand = z.infer<typeof ControlCommandSchema>;
