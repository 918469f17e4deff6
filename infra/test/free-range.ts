import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * A base port with `count` free consecutive ports on 127.0.0.1 (a stack's health ports), chosen below the
 * kernel's ephemeral range: a range inside it can be taken between this check and the services' listen by
 * any outgoing connection's local port (the stack's own Redis clients among them), which made a service
 * crash-loop on EADDRINUSE.
 */
export async function freeRange(count: number): Promise<number> {
  const [ephemeralLow] = ephemeralPortRange();
  const low = 10_000;
  const high = ephemeralLow - count;
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = low + Math.floor(Math.random() * (high - low));
    const free = await Promise.all(Array.from({ length: count }, (_, i) => canListen(base + i)));
    if (free.every(Boolean)) return base;
  }
  throw new Error(`no ${count} consecutive free ports found between ${low} and ${ephemeralLow}`);
}

/** The kernel's range for local ports it assigns itself (Linux; its default elsewhere). */
export function ephemeralPortRange(): [number, number] {
  try {
    const [lo, hi] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    if (Number(lo) > 10_100 && Number(hi) > Number(lo)) return [Number(lo), Number(hi)];
  } catch {}
  return [32_768, 60_999];
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => srv.close(() => resolve(true)));
  });
}
