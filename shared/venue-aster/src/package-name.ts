export const PACKAGE = '@arb/venue-aster';
