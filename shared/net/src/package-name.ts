export const PACKAGE = '@arb/net';
