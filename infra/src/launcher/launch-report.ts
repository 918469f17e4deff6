import type { AppConfig } from '@arb/config/config';
import type { EconomicsCheck } from '@arb/config/economics-check';
import { venueSymbol } from '@arb/core/venue';

/**
 * The launcher's printed text, as pure functions of the config (tested beside): what the stack will trade
 * and where to look once it runs. Secrets never appear: account ids are masked, the dashboard password is
 * shown only when this launcher generated it (sim/paper), never when it came from the environment.
 */

/** `0x1234…cdef` / `…Wx9Q`: enough to recognise an account, not to use it. */
export function maskAccount(id: string): string {
  if (id === '') return '(none)';
  if (/^0x[0-9a-fA-F]{40}$/.test(id)) return `${id.slice(0, 6)}…${id.slice(-4)}`;
  return id.length <= 8 ? '…' : `…${id.slice(-4)}`;
}

export function tradePlan(config: AppConfig, economics: EconomicsCheck): string[] {
  const s = config.strategy;
  const aster = config.venues.aster;
  const asterAccount =
    aster.auth.kind === 'v3'
      ? `V3 user ${maskAccount(aster.auth.user)}, signer ${maskAccount(aster.auth.signer)}`
      : `HMAC key ${maskAccount(aster.auth.apiKey)}`;
  const ordersTo =
    config.mode === 'paper'
      ? ' (orders: simulator matching engine at ' +
        `${config.orderVenues.aster.restUrl} / ${config.orderVenues.backpack.restUrl})`
      : '';
  const lines = [
    `mode ${config.mode}${config.mode === 'live' ? ' (REAL ORDERS)' : ''}${ordersTo}`,
    `pair ${config.pair}: AsterDex ${venueSymbol('aster', config.pair)} <-> Backpack ${venueSymbol('backpack', config.pair)}`,
    `size ${s.tradeQty} ${config.pair} per leg, open at ${s.openThreshold} USD spread, close below ${s.closeThreshold} USD, ` +
      `forced close after ${Math.round(s.forceCloseMs / 60_000)} min, at most ${s.maxOpenHedges} hedge open`,
    `leverage ${config.leverage}x on both venues; quotes older than ${s.maxQuoteAgeMs} ms are never traded`,
    // An unprofitable verdict is printed on its own, as a warning (or the refusal).
    `fees (taker) Aster ${s.fees.aster.taker}, Backpack ${s.fees.backpack.taker}` +
      (economics.verdict === 'ok' ? `; ${economics.message}` : ''),
    `AsterDex ${aster.restUrl} (${asterAccount})`,
    `Backpack ${config.venues.backpack.restUrl} (API key ${maskAccount(config.venues.backpack.apiKey)})`,
  ];
  return lines;
}

export interface WhereToLook {
  config: AppConfig;
  pm2Home: string;
  healthBase: number;
  /** Service name -> its /healthz + /metrics port. */
  healthPorts: Record<string, number>;
  redisUrl: string;
  /** Set when this launcher started a redis-server itself. */
  redisDataDir?: string;
}

export function whereToLook(w: WhereToLook): string[] {
  const { config } = w;
  const host = hostFor(config.health.host);
  // The dashboard listens on HEALTH_HOST too.
  const dash = `http://${host}:${config.dashboard.port}`;
  const password = config.dashboard.passwordGenerated
    ? `${config.dashboard.password} (generated for this run)`
    : '(from DASHBOARD_PASSWORD)';
  const env = `PM2_HOME=${w.pm2Home}`;
  const lines = [
    `dashboard     ${dash}/  (user ${config.dashboard.user}, password ${password})`,
    `Bull Board    ${dash}/queues  (same credentials)`,
    `metrics       ${dash}/metrics, and each service's http://${host}:<port>/metrics`,
    `health        ${Object.entries(w.healthPorts)
      .map(([name, port]) => `${name} :${port}`)
      .join(', ')}  (GET /healthz)`,
    `redis         ${redactUrl(w.redisUrl)} namespace "${config.redis.namespace}"${
      w.redisDataDir ? ` (started here, AOF in ${w.redisDataDir})` : ''
    }`,
  ];
  if (config.sim.adminEnabled) {
    lines.push(`sim admin     http://${hostFor(config.sim.host)}:${config.sim.adminPort}/admin/health`);
  }
  lines.push(
    `processes     ${env} npx pm2 ls`,
    `logs          ${env} npx pm2 logs [service]`,
    `restart one   ${env} npx pm2 restart strategy   (any service name; the others keep running)`,
    'stop          Ctrl-C here (stops every service, then PM2)',
  );
  return lines;
}

function hostFor(h: string): string {
  return h === '0.0.0.0' || h === '::' ? '127.0.0.1' : h;
}

/** A URL with its password replaced, for printing. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(invalid url)';
  }
}
