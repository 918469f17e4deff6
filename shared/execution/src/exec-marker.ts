/**
 * Progress an order worker saves in its BullMQ job's data (field `exec`) BEFORE the order request leaves,
 * so that a re-run of the job (crash, stall, duplicate delivery) knows a send may have happened and goes
 * to the venue probe instead of the refusal checks. Extra fields in job data are ignored by LegJobSchema.
 */
export interface ExecMarker {
  stage: 'sent';
  /** Epoch ms when the order request left the worker. */
  sentAt: number;
  /** BullMQ job id of the run that sent. */
  byJobId: string;
}

export const EXEC_MARKER_FIELD = 'exec';

/** The marker in raw job data, or null when absent or malformed (malformed = treated as "may have sent"). */
export function readExecMarker(data: unknown): ExecMarker | null {
  if (typeof data !== 'object' || data === null) return null;
  const raw = (data as Record<string, unknown>)[EXEC_MARKER_FIELD];
  if (raw === undefined) return null;
  if (typeof raw !== 'object' || raw === null) return { stage: 'sent', sentAt: 0, byJobId: '?' };
  const m = raw as Record<string, unknown>;
  const sentAt = typeof m.sentAt === 'number' && Number.isFinite(m.sentAt) ? m.sentAt : 0;
  const byJobId = typeof m.byJobId === 'string' ? m.byJobId : '?';
  return { stage: 'sent', sentAt, byJobId };
}

/** Job data with the marker set; the original object is not mutated. */
export function withExecMarker<T extends object>(data: T, marker: ExecMarker): T & { exec: ExecMarker } {
  return { ...data, [EXEC_MARKER_FIELD]: marker } as T & { exec: ExecMarker };
}
