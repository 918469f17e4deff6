// Benchmarks (issue 8): npm run bench.
export const PACKAGE = '@arb/bench';
