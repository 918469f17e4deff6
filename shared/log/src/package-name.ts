export const PACKAGE = '@arb/log';
