/**
 * What an order worker saves (in Redis, `names.execMarkerKey(venue, clientOrderId)`) BEFORE a leg's order
 * request leaves, atomically with taking the venue account (send-claim.ts): a later run of the same leg —
 * crash, stall, duplicate delivery, the leg re-added under another job id — finds it and goes to the venue
 * to resolve what happened instead of sending again.
 */
export interface ExecMarker {
  stage: 'sent';
  /** Epoch ms when the order request was cleared to leave. */
  sentAt: number;
  /** BullMQ job id of the run that sent. */
  byJobId: string;
}

/** Markers outlive any retry or re-delivery of their leg by far (a week), then expire. */
export const EXEC_MARKER_TTL_MS = 7 * 86_400_000;

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
  const sentAt = typeof m.sentAt === 'number' && Number.isFinite(m.sentAt) ? m.sentAt : 0;
  const byJobId = typeof m.byJobId === 'string' ? m.byJobId : '?';
  return { stage: 'sent', sentAt, byJobId };
}
