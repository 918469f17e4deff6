import type { VenueErrorCategory } from '@arb/net/venue-error';

/**
 * Aster error code → category [DOC §Error Codes; asterdex.md §5]. Codes are stable; messages vary.
 * Codes not listed are treated as 'unknown' (resolve at the venue) and logged by the caller.
 */
const CODE_CATEGORY: Record<number, VenueErrorCategory> = {
  // Execution status unknown: may have executed.
  [-1000]: 'unknown',
  [-1001]: 'unknown',
  [-1006]: 'unknown',
  [-1007]: 'unknown',
  // Rate limits.
  [-1003]: 'rate_limited',
  [-1015]: 'rate_limited',
  // Auth, timing, nonce.
  [-1021]: 'auth',
  [-1022]: 'auth',
  [-2014]: 'auth',
  [-2015]: 'auth',
  [-4225]: 'auth',
  // Our request is malformed.
  [-1102]: 'bug',
  [-1106]: 'bug',
  [-1111]: 'bug',
  [-1115]: 'bug',
  [-1116]: 'bug',
  [-1117]: 'bug',
  [-1130]: 'bug',
  [-1136]: 'bug',
  [-4015]: 'bug',
  // Configuration.
  [-1121]: 'config',
  // Business rejections: definitively not executed.
  [-2010]: 'rejected',
  [-2011]: 'rejected',
  [-2013]: 'rejected',
  [-2018]: 'rejected',
  [-2019]: 'rejected',
  [-2020]: 'rejected',
  [-2021]: 'rejected',
  [-2022]: 'rejected',
  [-4002]: 'rejected',
  [-4003]: 'rejected',
  [-4004]: 'rejected',
  [-4005]: 'rejected',
  [-4013]: 'rejected',
  [-4014]: 'rejected',
  [-4016]: 'rejected',
  [-4023]: 'rejected',
  [-4024]: 'rejected',
  [-4028]: 'rejected',
  [-4046]: 'rejected',
  [-4047]: 'rejected',
  [-4048]: 'rejected',
  [-4059]: 'rejected',
  [-4060]: 'rejected',
  [-4061]: 'rejected',
  [-4084]: 'rejected',
  [-4116]: 'rejected',
  [-4118]: 'rejected',
  [-4131]: 'rejected',
  [-4164]: 'rejected',
};

export function isKnownAsterCode(code: number): boolean {
  return code in CODE_CATEGORY;
}

/** Category of an Aster error answer (HTTP status first: 429/418 are rate limits, 401/403 auth). */
export function asterErrorCategory(code: number | null, httpStatus: number): VenueErrorCategory {
  if (httpStatus === 429 || httpStatus === 418) return 'rate_limited';
  if (httpStatus >= 500) return 'unknown';
  if (code !== null && code in CODE_CATEGORY) return CODE_CATEGORY[code] ?? 'unknown';
  if (httpStatus === 401 || httpStatus === 403) return 'auth';
  return 'unknown';
}

/** Whether a rejected order with this category definitely did not execute. */
export function categoryMeansNotExecuted(category: VenueErrorCategory): boolean {
  return category !== 'unknown';
}
