import { HEDGE_ID_RE } from '@arb/core/hedge';
import { z } from 'zod';

/**
 * A hedge id, as the core makes it (`makeHedgeId` in '@arb/core/hedge': "h" + base-36 time + nonce): short
 * enough that every leg job id (core `legId`) fits Aster's 36-char client order id; no ":".
 */
export const HedgeIdSchema = z.string().regex(HEDGE_ID_RE, { error: `hedge id must match ${HEDGE_ID_RE}` });
export type HedgeId = z.infer<typeof HedgeIdSchema>;
