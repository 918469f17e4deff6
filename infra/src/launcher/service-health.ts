/** Polls each service's /healthz until every one answers 200, the timeout passes, or the launcher stops. */
export interface HealthResult {
  ok: boolean;
  reason: string;
}

export async function checkHealth(url: string, timeoutMs = 1500): Promise<HealthResult> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    const body = (await res.json().catch(() => ({}))) as { reason?: unknown };
    if (res.ok) return { ok: true, reason: 'ok' };
    return { ok: false, reason: typeof body.reason === 'string' ? body.reason : `HTTP ${res.status}` };
  } catch (e) {
    const code = (e as { cause?: { code?: string } }).cause?.code;
    return {
      ok: false,
      reason: code === 'ECONNREFUSED' ? 'not listening' : String((e as Error).message ?? e),
    };
  }
}

export async function waitForHealth(
  host: string,
  ports: Record<string, number>,
  opts: { timeoutMs: number; intervalMs?: number; isStopping?: () => boolean },
): Promise<Record<string, HealthResult>> {
  const h = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const results: Record<string, HealthResult> = {};
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    await Promise.all(
      Object.entries(ports).map(async ([name, port]) => {
        if (results[name]?.ok) return;
        results[name] = await checkHealth(`http://${h}:${port}/healthz`);
      }),
    );
    const allOk = Object.values(results).every((r) => r.ok);
    if (allOk || Date.now() >= deadline || opts.isStopping?.()) return results;
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 500));
  }
}
