import { loadConfig } from '@arb/config/config';
import { describe, expect, it } from 'vitest';
import { riskOptionsFromConfig } from './risk-config';

describe('riskOptionsFromConfig', () => {
  it('maps the defaults', () => {
    const o = riskOptionsFromConfig(loadConfig({}, { dotenvPath: false }));
    expect(o).toMatchObject({
      namespace: 'arb',
      pair: 'BTC',
      forceCloseMs: 1_800_000,
      reconcileIntervalMs: 5000,
      cleanupPolicy: 'unwind',
      nakedAlertMs: 5000,
      stuckLegMs: 30_000,
    });
  });

  it('carries the naked-time alert threshold and the stuck-leg bound from the environment', () => {
    const o = riskOptionsFromConfig(
      loadConfig(
        { NAKED_ALERT_MS: '2500', STUCK_LEG_MS: '45000', DAILY_LOSS_LIMIT: '500', ARB_NAMESPACE: 't-x' },
        { dotenvPath: false },
      ),
    );
    expect(o).toMatchObject({
      nakedAlertMs: 2500,
      stuckLegMs: 45_000,
      dailyLossLimit: 500,
      namespace: 't-x',
    });
  });
});
