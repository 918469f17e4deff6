import { Redis } from 'ioredis';

/**
 * A bare ioredis subscriber process: the CPU yardstick for the strategy (see strategy-cost.ts). It receives
 * the same quote messages and only `JSON.parse`s them: no validation, no decision, no other connection.
 */
// argv: <redis url> <channel>...
const [url, ...channels] = process.argv.slice(2);
const sub = new Redis(url ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
let parsed = 0;
sub.on('message', (_channel: string, message: string) => {
  if (JSON.parse(message) !== null) parsed++;
});
await sub.subscribe(...channels);
console.log('ready');
const stop = async () => {
  await sub.quit();
  console.log(`parsed ${parsed}`);
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
