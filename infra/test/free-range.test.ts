import { describe, expect, it } from 'vitest';
import { ephemeralPortRange, freeRange } from './free-range';

describe('freeRange (a test stack health ports)', () => {
  it('lies wholly below the kernel ephemeral range, so no outgoing connection can take one of its ports', async () => {
    const [low] = ephemeralPortRange();
    for (let i = 0; i < 20; i++) {
      const base = await freeRange(22);
      expect(base).toBeGreaterThanOrEqual(10_000);
      expect(base + 21).toBeLessThan(low);
    }
  });
});
