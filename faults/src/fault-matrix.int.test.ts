import { expect, it } from 'vitest';
import { formatTable, runMatrix } from './matrix';

/**
 * The CI subset of the fault matrix (the whole matrix is `npm run test:faults`, about 10 minutes on 2
 * busy cores): one stack of real processes over a private redis-server with AOF, these scenarios in order,
 * every invariant checked after each. Chosen for distinct failure mechanisms not already covered by
 * e2e/ (which runs duplicate delivery, a rejected leg, a forced close after a risk crash, two strategy
 * replicas and a Redis restart): a worker crash between send and answer, a crash of the strategy between
 * intent and enqueue, a 5xx, a 429 storm (no opens while the order path is rate-limited: issue 9's
 * finding), a timeout after execution, and maintenance while a hedge is open.
 */
export const CI_SCENARIOS = ['1', '2', '5a', '5b', '6b', '12'] as const;

it(`fault matrix CI subset (${CI_SCENARIOS.join(', ')}): every invariant holds`, async () => {
  const results = await runMatrix({ only: CI_SCENARIOS });
  console.log(formatTable(results));
  expect(results.map((r) => r.id)).toEqual([...CI_SCENARIOS]);
  expect(results.filter((r) => !r.ok).map((r) => `${r.id}: ${r.problems.join('; ')}`)).toEqual([]);
});
