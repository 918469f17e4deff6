import { createServer } from 'node:net';

/** A TCP port free on `host` right now (the OS picks it). Another process may take it before you do. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen({ port: 0, host, exclusive: true }, () => {
      const addr = srv.address();
      if (addr === null || typeof addr === 'string') {
        srv.close();
        reject(new Error('no port assigned'));
        return;
      }
      srv.close(() => resolve(addr.port));
    });
  });
}
