import { describe, expect, it } from 'vitest';
import { ManualClock } from '../engine/clock';
import { startSimDriver } from '../engine/driver';
import { createSimCore } from '../engine/sim-core';

describe('scheduled faults', () => {
  it('adds each scenario fault when its time comes, with its own lifetime from then', async () => {
    const clock = new ManualClock();
    const core = await createSimCore({
      clock,
      scenario: {
        name: 'faulty',
        faults: [
          { atMs: 1000, fault: { kind: 'maintenance', venue: 'aster', durationMs: 2000 } },
          { atMs: 5000, fault: { kind: 'reject_orders', venue: 'backpack', count: 1 } },
        ],
      },
    });
    const driver = startSimDriver(core);
    try {
      expect(core.faults.route('aster', 'GET /fapi/v1/time').failStatus).toBeNull();
      clock.advance(1000);
      driver.step();
      expect(core.faults.route('aster', 'GET /fapi/v1/time').failStatus).toBe(503);
      clock.advance(2000);
      driver.step();
      expect(core.faults.route('aster', 'GET /fapi/v1/time').failStatus).toBeNull();
      expect(driver.schedule.pending).toBe(1);
      clock.advance(2000);
      driver.step();
      const order = {
        side: 'buy',
        type: 'market',
        tif: 'IOC',
        qty: 0.01,
        reduceOnly: false,
        clientOrderId: null,
      } as const;
      expect(core.engines.backpack.placeOrder('a', order)).toMatchObject({
        ok: false,
        reason: 'insufficient_margin',
      });
      expect(core.engines.backpack.placeOrder('a', order).ok).toBe(true);
    } finally {
      driver.stop();
      core.close();
    }
  });
});
