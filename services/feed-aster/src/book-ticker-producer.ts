import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** Worker source: a WS server that acks the subscription, then sends bookTicker frames u = 1..n. */
const PRODUCER = `
const { parentPort, workerData } = require('node:worker_threads');
const { WebSocketServer } = require(${JSON.stringify(createRequire(import.meta.url).resolve('ws'))});
const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
wss.on('listening', () => parentPort.postMessage({ port: wss.address().port }));
wss.on('connection', (ws) => {
  ws.once('message', () => {
    ws.send('{"result":null,"id":1}');
    let u = 1;
    const burst = () => {
      const t = Date.now();
      for (let i = 0; i < 1000 && u <= workerData.n; i++, u++) {
        const bid = (60000 + (u % 50) / 10).toFixed(1);
        ws.send('{"stream":"btcusdt@bookTicker","data":{"e":"bookTicker","u":' + u + ',"E":' + t + ',"T":' + t +
          ',"s":"BTCUSDT","b":"' + bid + '","B":"1.234","a":"60010.0","A":"0.5"}}');
      }
      if (u <= workerData.n) setImmediate(burst);
    };
    burst();
  });
});
`;

export interface BookTickerProducer {
  /** Port of the WS server on 127.0.0.1. */
  port: number;
  close(): Promise<void>;
}

/**
 * For the hot-path test and bench: a WebSocket server in a worker thread that, once a client subscribes,
 * replays `n` AsterDex bookTicker frames (update ids 1..n) as fast as the socket takes them.
 */
export async function startBookTickerProducer(n: number): Promise<BookTickerProducer> {
  const worker = new Worker(PRODUCER, { eval: true, workerData: { n } });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', (m: { port: number }) => resolve(m.port));
    worker.once('error', reject);
  });
  return {
    port,
    close: async () => {
      await worker.terminate();
    },
  };
}
