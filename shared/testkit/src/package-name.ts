export const PACKAGE = '@arb/testkit';
