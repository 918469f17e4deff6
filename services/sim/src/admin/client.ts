import type { FaultSpecInput } from '../faults/fault-spec';
import type { ActiveFault } from '../faults/fault-controller';
import type { Dislocation } from '../market/dislocation';
import type { SimBalance, SimBook, SimFill, SimOrder, SimPosition, SimVenue } from '../engine/types';
import type { SimReject } from '../engine/venue-engine';
import type { AccountBody, DislocationBody, PriceBody, ResetBody } from './admin-schemas';

export type AdminOrder = SimOrder & { venue: SimVenue };
export type AdminFill = SimFill & { venue: SimVenue };
export type AdminPosition = SimPosition & { venue: SimVenue; account: string; balance: SimBalance };
export type AdminReject = SimReject & { venue: SimVenue };

export interface AdminHealth {
  ok: boolean;
  time: number;
  seed: number;
  scenario: string;
  paused: boolean;
  truePrice: number;
  /** The current and next scripted dislocations (absolute sim times). */
  dislocations: Dislocation[];
  venues: Partial<Record<SimVenue, { restUrl: string; wsUrl: string }>>;
  books: Record<
    SimVenue,
    {
      bid: { price: number; qty: number } | null;
      ask: { price: number; qty: number } | null;
      updateId: number;
      time: number;
    }
  >;
}

export class SimAdminError extends Error {
  override readonly name = 'SimAdminError';
  constructor(
    message: string,
    readonly status: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Filters for listing orders, fills, positions and rejects. */
export type AdminFilter = {
  venue?: SimVenue;
  account?: string;
};

/**
 * Typed client of the simulator's admin API (fetch-based), for tests and the benchmark:
 * `const admin = new SimAdminClient(sim.adminUrl); await admin.dislocation({...})`.
 */
export class SimAdminClient {
  readonly #base: string;

  constructor(baseUrl: string) {
    this.#base = baseUrl.replace(/\/+$/, '');
  }

  health(): Promise<AdminHealth> {
    return this.#get('/admin/health');
  }

  async book(
    venue: SimVenue,
    depth?: number,
  ): Promise<SimBook & { venue: SimVenue; symbol: string; markPrice: number }> {
    return this.#get('/admin/book', { venue, ...(depth === undefined ? {} : { depth: String(depth) }) });
  }

  async orders(filter: AdminFilter = {}): Promise<AdminOrder[]> {
    return (await this.#get<{ orders: AdminOrder[] }>('/admin/orders', filter)).orders;
  }

  async fills(filter: AdminFilter = {}): Promise<AdminFill[]> {
    return (await this.#get<{ fills: AdminFill[] }>('/admin/fills', filter)).fills;
  }

  async positions(filter: AdminFilter = {}): Promise<AdminPosition[]> {
    return (await this.#get<{ positions: AdminPosition[] }>('/admin/positions', filter)).positions;
  }

  async rejects(filter: AdminFilter = {}): Promise<AdminReject[]> {
    return (await this.#get<{ rejects: AdminReject[] }>('/admin/rejects', filter)).rejects;
  }

  faults(): Promise<{ active: ActiveFault[]; history: { at: number; spec: unknown }[] }> {
    return this.#get('/admin/faults');
  }

  async addFault(spec: FaultSpecInput): Promise<ActiveFault> {
    const r = await this.#send<{ added: ActiveFault[] }>('POST', '/admin/faults', spec);
    return r.added[0] as ActiveFault;
  }

  async addFaults(specs: FaultSpecInput[]): Promise<ActiveFault[]> {
    return (await this.#send<{ added: ActiveFault[] }>('POST', '/admin/faults', { faults: specs })).added;
  }

  async clearFaults(venue?: SimVenue): Promise<number> {
    const q = venue ? `?venue=${venue}` : '';
    return (await this.#send<{ cleared: number }>('DELETE', `/admin/faults${q}`)).cleared;
  }

  async dislocation(body: DislocationBody): Promise<Dislocation> {
    return (await this.#send<{ dislocation: Dislocation }>('POST', '/admin/dislocation', body)).dislocation;
  }

  async price(body: PriceBody): Promise<number> {
    return (await this.#send<{ truePrice: number }>('POST', '/admin/price', body)).truePrice;
  }

  async setPaused(paused: boolean): Promise<boolean> {
    return (await this.#send<{ paused: boolean }>('POST', '/admin/market', { paused })).paused;
  }

  setAccount(
    venue: SimVenue,
    account: string,
    body: AccountBody,
  ): Promise<{ venue: SimVenue; account: string; position: SimPosition; balance: SimBalance }> {
    return this.#send('POST', `/admin/accounts/${venue}/${encodeURIComponent(account)}`, body);
  }

  reset(
    body: ResetBody = {},
  ): Promise<{ reset: { venues: SimVenue[]; account: string | null }; faultsCleared: number }> {
    return this.#send('POST', '/admin/reset', body ?? {});
  }

  #get<T>(path: string, query: { readonly [k: string]: string | undefined } = {}): Promise<T> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, v);
    const qs = params.size > 0 ? `?${params}` : '';
    return this.#send('GET', path + qs);
  }

  async #send<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(this.#base + path, {
        method,
        ...(body === undefined
          ? {}
          : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      });
    } catch (cause) {
      throw new SimAdminError(`${method} ${path}: sim admin API unreachable`, 0, { cause });
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : {};
    } catch (cause) {
      throw new SimAdminError(`${method} ${path}: non-JSON answer (${res.status})`, res.status, { cause });
    }
    if (!res.ok) {
      const msg =
        (json as { error?: string; message?: string }).error ?? (json as { message?: string }).message;
      throw new SimAdminError(`${method} ${path}: ${res.status} ${msg ?? text}`, res.status);
    }
    return json as T;
  }
}
