export const PACKAGE = '@arb/venue-backpack';
