import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, extractVenueCode, headerValue } from './http-client';
import { VenueError } from './venue-error';

// A real HTTP server on a real socket whose routes misbehave on purpose (transport-level behaviour only).
let server: Server;
let base: string;
const seenConnections = new Set<unknown>();
/** Every request body the server read in full. */
const seenBodies: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seenConnections.add(req.socket);
    const url = new URL(req.url ?? '/', 'http://x');
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      seenBodies.push(body);
      switch (url.pathname) {
        case '/ok':
          res.setHeader('x-mbx-used-weight-1m', '7');
          res.end(JSON.stringify({ method: req.method, query: url.search, body }));
          return;
        case '/prefix/ok':
          res.end('prefixed');
          return;
        case '/bad':
          res.statusCode = 400;
          res.end('{"code":-1121,"msg":"Invalid symbol."}');
          return;
        case '/503':
          res.statusCode = 503;
          res.end('{"code":-1001,"msg":"Internal error"}');
          return;
        case '/500':
          res.statusCode = 500;
          res.end('oops');
          return;
        case '/slow':
          setTimeout(() => res.end('late'), 1500);
          return;
        case '/reset':
          req.socket.destroy();
          return;
        default:
          res.statusCode = 404;
          res.end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

async function failure(p: Promise<unknown>): Promise<VenueError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof VenueError) return e;
    throw e;
  }
  throw new Error('expected a VenueError');
}

describe('HttpClient', () => {
  it('sends query and body and reuses one keep-alive connection', async () => {
    const http = new HttpClient({ venue: 'aster', baseUrl: base, timeoutMs: 2000, connections: 1 });
    const before = seenConnections.size;
    for (let i = 0; i < 5; i++) {
      const r = await http.request({ method: 'POST', path: '/ok', query: 'a=1', body: 'b=2' });
      expect(r.status).toBe(200);
      expect(JSON.parse(r.body)).toEqual({ method: 'POST', query: '?a=1', body: 'b=2' });
      expect(headerValue(r.headers, 'X-MBX-USED-WEIGHT-1M')).toBe('7');
    }
    expect(seenConnections.size - before).toBe(1);
    await http.close();
  });

  it('holds a request at its send gate: false withdraws it unsent, true lets it leave', async () => {
    const http = new HttpClient({ venue: 'aster', baseUrl: base, timeoutMs: 200 });
    const before = seenBodies.length;
    let open!: (mayLeave: boolean) => void;
    const gate = new Promise<boolean>((r) => {
      open = r;
    });
    const held = http.request({ method: 'POST', path: '/ok', body: 'gated', sendGate: gate });
    // Longer than the request's deadline: the deadline only starts once the gate has opened.
    await new Promise((r) => setTimeout(r, 300));
    expect(seenBodies.length).toBe(before);
    open(true);
    expect(JSON.parse((await held).body)).toMatchObject({ body: 'gated' });
    expect(seenBodies.slice(before)).toEqual(['gated']);

    const withdrawn = await failure(
      http.request({ method: 'POST', path: '/ok', body: 'never', sendGate: Promise.resolve(false) }),
    );
    expect(withdrawn).toMatchObject({ code: 'NOT_SENT', category: 'unavailable', venue: 'aster' });
    await new Promise((r) => setTimeout(r, 50));
    expect(seenBodies.slice(before)).toEqual(['gated']);
    await http.close();
  });

  it('keeps a base path prefix', async () => {
    const http = new HttpClient({ venue: 'aster', baseUrl: `${base}/prefix/`, timeoutMs: 2000 });
    expect((await http.request({ method: 'GET', path: '/ok' })).body).toBe('prefixed');
    await http.close();
  });

  it('returns 4xx bodies for the venue adapter to map', async () => {
    const http = new HttpClient({ venue: 'aster', baseUrl: base, timeoutMs: 2000 });
    const r = await http.request({ method: 'GET', path: '/bad' });
    expect(r.status).toBe(400);
    expect(extractVenueCode(r.body)).toBe('-1121');
    await http.close();
  });

  it('classifies 5xx as unknown with the venue code when present', async () => {
    const http = new HttpClient({ venue: 'aster', baseUrl: base, timeoutMs: 2000 });
    const e = await failure(http.request({ method: 'POST', path: '/503' }));
    expect(e).toMatchObject({ category: 'unknown', code: '-1001', httpStatus: 503, endpoint: 'POST /503' });
    const e2 = await failure(http.request({ method: 'POST', path: '/500' }));
    expect(e2).toMatchObject({ category: 'unknown', code: 'HTTP_5XX', httpStatus: 500 });
    await http.close();
  });

  it('classifies a timeout as unknown and stays usable afterwards', async () => {
    const http = new HttpClient({ venue: 'backpack', baseUrl: base, timeoutMs: 200 });
    const e = await failure(http.request({ method: 'POST', path: '/slow', query: 'signature=SECRET' }));
    expect(e).toMatchObject({ category: 'unknown', code: 'TIMEOUT', venue: 'backpack' });
    expect(e.message).not.toContain('SECRET');
    expect((await http.request({ method: 'GET', path: '/ok' })).status).toBe(200);
    await http.close();
  });

  it('classifies a connection reset mid-request as unknown', async () => {
    const http = new HttpClient({ venue: 'aster', baseUrl: base, timeoutMs: 2000 });
    const e = await failure(http.request({ method: 'POST', path: '/reset' }));
    expect(e.category).toBe('unknown');
    expect(e.code).toMatch(/UND_ERR_SOCKET|ECONNRESET|NETWORK/);
    await http.close();
  });

  it('classifies connection refused as unavailable (never sent)', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const http = new HttpClient({
      venue: 'aster',
      baseUrl: `http://127.0.0.1:${port}`,
      timeoutMs: 2000,
    });
    const e = await failure(http.request({ method: 'POST', path: '/x' }));
    expect(e).toMatchObject({ category: 'unavailable', code: 'ECONNREFUSED', retryable: true });
    await http.close();
  });

  it('classifies a deadline reached while waiting for a connection as unavailable (never sent)', async () => {
    // One socket, held by a slow request: the next one waits for it and times out before any byte leaves.
    const http = new HttpClient({ venue: 'aster', baseUrl: base, timeoutMs: 3000, connections: 1 });
    const slow = http.request({ method: 'GET', path: '/slow' });
    const e = await failure(http.request({ method: 'POST', path: '/ok', body: 'queued=1', timeoutMs: 200 }));
    expect(e).toMatchObject({ category: 'unavailable', code: 'NOT_CONNECTED', retryable: true });
    expect(e.message).toContain('no connection within 200 ms');
    expect((await slow).body).toBe('late');
    // The queued request never reached the server, not even once its socket was free.
    await new Promise((r) => setTimeout(r, 100));
    expect(seenBodies).not.toContain('queued=1');
    await http.close();
  });

  it('a deadline reached after the request was written stays unknown', async () => {
    const http = new HttpClient({ venue: 'aster', baseUrl: base, timeoutMs: 3000, connections: 1 });
    // First request opens the connection; the second reuses it (connected) and times out on the server.
    expect((await http.request({ method: 'GET', path: '/ok' })).status).toBe(200);
    const e = await failure(http.request({ method: 'POST', path: '/slow', timeoutMs: 200 }));
    expect(e).toMatchObject({ category: 'unknown', code: 'TIMEOUT' });
    await http.close();
  });
});
