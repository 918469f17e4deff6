import { Worker } from 'bullmq';

/** A bare BullMQ worker process: the memory yardstick for the services (see memory.ts). */
// argv: <redis url> <namespace> (only @arb/config reads the environment)
const u = new URL(process.argv[2] ?? 'redis://127.0.0.1:6379');
const worker = new Worker('bare', async () => undefined, {
  connection: { host: u.hostname, port: Number(u.port || 6379), maxRetriesPerRequest: null },
  prefix: `${process.argv[3] ?? 'bench'}:bull`,
});
await worker.waitUntilReady();
console.log('ready');
const stop = async () => {
  await worker.close();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
