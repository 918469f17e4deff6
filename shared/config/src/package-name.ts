export const PACKAGE = '@arb/config';
