import type { AppConfig } from './config';

/**
 * Every secret value in a loaded config (venue keys, dashboard password, a password in REDIS_URL), to
 * hand to the logger's `registerSecrets` at start so they are scrubbed from any logged string.
 */
export function configSecrets(config: AppConfig): string[] {
  const out: string[] = [];
  const { auth } = config.venues.aster;
  if (auth.kind === 'v3') out.push(auth.signerPrivateKey);
  else out.push(auth.apiKey, auth.apiSecret);
  out.push(config.venues.backpack.apiKey, config.venues.backpack.secret, config.dashboard.password);
  try {
    const redisPassword = decodeURIComponent(new URL(config.redis.url).password);
    if (redisPassword !== '') out.push(redisPassword);
  } catch {
    // REDIS_URL was validated as a URL by loadConfig.
  }
  return out.filter((s) => s.length > 0);
}
