import { formatTable, runMatrix } from './matrix';

/**
 * `npm run test:faults [-- 1 4 9b]`: the fault matrix on real processes; prints the table and exits
 * non-zero when any scenario failed (set-up, recovery or an invariant). Ids select a subset.
 */
const only = process.argv.slice(2).filter((a) => a !== '--');
const t0 = Date.now();
try {
  const results = await runMatrix({ only });
  console.log(`\n${formatTable(results)}`);
  const failed = results.filter((r) => !r.ok);
  console.log(
    `\n${results.length - failed.length}/${results.length} passed in ${((Date.now() - t0) / 1000).toFixed(0)} s`,
  );
  for (const r of failed) console.log(`FAILED ${r.id} ${r.title}:\n  ${r.problems.join('\n  ')}`);
  process.exit(failed.length > 0 || results.length === 0 ? 1 : 0);
} catch (err) {
  console.error('fault matrix could not run:', err);
  process.exit(1);
}
