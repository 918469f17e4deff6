/**
 * A leg's send marker (Redis string `names.execMarkerKey(venue, clientOrderId)`), saved BEFORE its order
 * request can leave. Any later run of the same leg — crash, stall, duplicate delivery, the leg re-added
 * under another job id — finds it and goes to the venue to resolve what happened instead of sending again.
 *
 * Two stages, both meaning "a send may have happened" to every run but one:
 * - `sent`: an order worker's run saved it atomically with taking the venue account (execution's send
 *   claim), right before its send.
 * - `granted`: the strategy's intent script saved it atomically with recording the intent (hedge-store.ts):
 *   the leg's first run (a fresh delivery, execution's order worker) may send without a claim of its own,
 *   and only until `maxPreSendMs` past the leg's decision; within `LEG_GRANT_CLAIM_WINDOW_MS` a fresh run
 *   that missed the grant's notice may still claim it (it becomes `sent`).
 */
export type ExecMarker =
  | {
      stage: 'sent';
      /** Epoch ms when the order request was cleared to leave. */
      sentAt: number;
      /** BullMQ job id of the run that sent. */
      byJobId: string;
    }
  | {
      stage: 'granted';
      /** Epoch ms (Redis clock) when the intent was recorded and the grant saved. */
      grantedAt: number;
      /** The strategy leader's fence the intent was recorded under. */
      fence: number;
    };

/** Markers outlive any retry or re-delivery of their leg by far (a week), then expire. */
export const EXEC_MARKER_TTL_MS = 7 * 86_400_000;

/**
 * How long after its grant a fresh run that did not hear the grant's notice may still claim it (Redis
 * clock). Past it the grant counts as "may have sent", like any marker. It bounds the one unsafe case of
 * claiming a grant: a second fresh run of the same leg, possible only once BullMQ removed its first job
 * (kept 7 days or 10,000 newer jobs, job-registry.ts) and someone re-added it.
 */
export const LEG_GRANT_CLAIM_WINDOW_MS = 60_000;

export function serializeExecMarker(m: ExecMarker): string {
  return JSON.stringify(m);
}

/** The marker from its stored form; anything unreadable still means "may have sent" (never null). */
export function parseExecMarker(raw: string): ExecMarker {
  let m: Record<string, unknown> = {};
  try {
    const v: unknown = JSON.parse(raw);
    if (typeof v === 'object' && v !== null) m = v as Record<string, unknown>;
  } catch {
    // unreadable: a send may still have happened
  }
  if (m.stage === 'granted' && isFiniteNumber(m.grantedAt)) {
    return { stage: 'granted', grantedAt: m.grantedAt, fence: isFiniteNumber(m.fence) ? m.fence : 0 };
  }
  const sentAt = isFiniteNumber(m.sentAt) ? m.sentAt : 0;
  const byJobId = typeof m.byJobId === 'string' ? m.byJobId : '?';
  return { stage: 'sent', sentAt, byJobId };
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}
