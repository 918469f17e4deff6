export const PACKAGE = '@arb/execution';
