// End-to-end tests of the whole pipeline: every service as a real process.
export const PACKAGE = '@arb/e2e';
