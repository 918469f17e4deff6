import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { z } from 'zod';
import type { SimCore } from '../engine/sim-core';
import type { SimVenue } from '../engine/types';
import type { VenueEngine } from '../engine/venue-engine';
import { dislocationEnd } from '../market/dislocation';
import {
  AccountBodySchema,
  AddFaultsBodySchema,
  BookQuerySchema,
  ClearFaultsQuerySchema,
  DislocationBodySchema,
  MarketBodySchema,
  PriceBodySchema,
  ResetBodySchema,
  VenueQuerySchema,
} from './admin-schemas';

export interface AdminServerOptions {
  core: SimCore;
  host: string;
  /** 0 = any free port. */
  port: number;
  /** URLs of the venue front-ends, reported by /admin/health. */
  venueUrls?: Partial<Record<SimVenue, { restUrl: string; wsUrl: string }>>;
}

export interface RunningAdmin {
  url: string;
  close(): Promise<void>;
}

const VENUES: readonly SimVenue[] = ['aster', 'backpack'];

/**
 * The simulator's admin HTTP API (JSON, its own port, sim mode only): inspect orders, fills, positions
 * and books; inject and clear faults; script dislocations and price jumps; pause the market; set
 * accounts. Every body is validated; a bad one answers 400 {error}.
 */
export async function startAdminServer(opts: AdminServerOptions): Promise<RunningAdmin> {
  const app = buildAdminApp(opts);
  await app.listen({ host: opts.host, port: opts.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  return { url: `http://${opts.host}:${port}`, close: () => app.close() };
}

export function buildAdminApp(opts: AdminServerOptions): FastifyInstance {
  const { core } = opts;
  const app = Fastify({ logger: false });
  const venuesOf = (venue: SimVenue | undefined): SimVenue[] => (venue ? [venue] : [...VENUES]);
  const engineOf = (venue: SimVenue): VenueEngine => core.engines[venue];

  const parse = <S extends z.ZodType>(
    schema: S,
    value: unknown,
    reply: FastifyReply,
  ): z.infer<S> | undefined => {
    const r = schema.safeParse(value ?? {});
    if (r.success) return r.data;
    void reply.code(400).send({ error: z.prettifyError(r.error) });
    return undefined;
  };

  app.get('/admin/health', async () => {
    const books = Object.fromEntries(
      VENUES.map((v) => {
        const b = engineOf(v).book(1);
        return [v, { bid: b.bids[0] ?? null, ask: b.asks[0] ?? null, updateId: b.updateId, time: b.time }];
      }),
    );
    return {
      ok: true,
      time: core.clock.now(),
      seed: core.seed,
      scenario: core.scenario.name,
      paused: core.market.paused,
      truePrice: core.market.truePrice(),
      /** The current and next scripted dislocations (absolute sim times). */
      dislocations: core.market
        .dislocations()
        .filter((d) => dislocationEnd(d) >= core.clock.now())
        .slice(0, 3),
      venues: opts.venueUrls ?? {},
      books,
    };
  });

  app.get('/admin/book', async (req, reply) => {
    const q = parse(BookQuerySchema, req.query, reply);
    if (!q) return reply;
    const e = engineOf(q.venue);
    return { venue: q.venue, symbol: e.rules.symbol, markPrice: e.markPrice(), ...e.book(q.depth) };
  });

  app.get('/admin/orders', async (req, reply) => {
    const q = parse(VenueQuerySchema, req.query, reply);
    if (!q) return reply;
    const orders = venuesOf(q.venue).flatMap((v) =>
      engineOf(v)
        .allOrders(q.account)
        .map((o) => ({ venue: v, ...o })),
    );
    return { orders };
  });

  app.get('/admin/fills', async (req, reply) => {
    const q = parse(VenueQuerySchema, req.query, reply);
    if (!q) return reply;
    const fills = venuesOf(q.venue).flatMap((v) =>
      engineOf(v)
        .allFills(q.account)
        .map((f) => ({ venue: v, ...f })),
    );
    return { fills };
  });

  app.get('/admin/rejects', async (req, reply) => {
    const q = parse(VenueQuerySchema, req.query, reply);
    if (!q) return reply;
    const rejects = venuesOf(q.venue).flatMap((v) =>
      engineOf(v)
        .rejects()
        .filter((r) => q.account === undefined || r.account === q.account)
        .map((r) => ({ venue: v, ...r })),
    );
    return { rejects };
  });

  app.get('/admin/positions', async (req, reply) => {
    const q = parse(VenueQuerySchema, req.query, reply);
    if (!q) return reply;
    const positions = venuesOf(q.venue).flatMap((v) => {
      const e = engineOf(v);
      const accounts = q.account === undefined ? e.accountIds() : [q.account];
      return accounts.map((account) => ({
        venue: v,
        account,
        ...e.position(account),
        balance: e.balance(account),
      }));
    });
    return { positions };
  });

  app.get('/admin/faults', async () => ({ active: core.faults.active(), history: core.faults.history() }));

  app.post('/admin/faults', async (req, reply) => {
    const body = parse(AddFaultsBodySchema, req.body, reply);
    if (!body) return reply;
    const specs = 'faults' in body ? body.faults : [body];
    return { added: specs.map((s) => core.faults.add(s)) };
  });

  app.delete('/admin/faults', async (req, reply) => {
    const q = parse(ClearFaultsQuerySchema, req.query, reply);
    if (!q) return reply;
    return { cleared: core.faults.clear(q.venue) };
  });

  app.post('/admin/dislocation', async (req, reply) => {
    const body = parse(DislocationBodySchema, req.body, reply);
    if (!body) return reply;
    return { dislocation: core.market.addDislocation(body) };
  });

  app.post('/admin/price', async (req, reply) => {
    const body = parse(PriceBodySchema, req.body, reply);
    if (!body) return reply;
    return { truePrice: core.market.jump(body) };
  });

  app.post('/admin/market', async (req, reply) => {
    const body = parse(MarketBodySchema, req.body, reply);
    if (!body) return reply;
    core.market.setPaused(body.paused);
    return { paused: core.market.paused };
  });

  app.post<{ Params: { venue: string; account: string } }>(
    '/admin/accounts/:venue/:account',
    async (req, reply) => {
      const venue = parse(z.enum(['aster', 'backpack']), req.params.venue, reply);
      if (!venue) return reply;
      const body = parse(AccountBodySchema, req.body, reply);
      if (!body) return reply;
      const e = engineOf(venue);
      const account = req.params.account;
      if (body.leverage !== undefined && e.setLeverage(account, body.leverage) === null) {
        return reply.code(400).send({ error: `leverage must be 1..${e.rules.maxLeverage}` });
      }
      if (body.balance !== undefined) e.setWallet(account, body.balance);
      if (body.position) e.setPosition(account, body.position.qty, body.position.entryPrice);
      return { venue, account, position: e.position(account), balance: e.balance(account) };
    },
  );

  app.post('/admin/reset', async (req, reply) => {
    const body = parse(ResetBodySchema, req.body, reply);
    if (!body) return reply;
    const venues = venuesOf(body.venue);
    for (const v of venues) {
      if (body.account === undefined) engineOf(v).resetAll();
      else engineOf(v).resetAccount(body.account);
    }
    const clearFaults = body.faults ?? (body.account === undefined && body.venue === undefined);
    const cleared = clearFaults ? core.faults.clear(body.venue) : 0;
    return { reset: { venues, account: body.account ?? null }, faultsCleared: cleared };
  });

  return app;
}
