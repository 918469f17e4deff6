import { type ControlCommand, ControlCommandSchema } from '@arb/bus/control-command';
import { writeControlFlags } from '@arb/bus/control-flags';
import { recordCloseIntent, recordOpenIntent, writeHedgeStatus } from '@arb/bus/hedge-store';
import type { HedgeIntent } from '@arb/bus/hedge-intent';
import type { RedisNames } from '@arb/bus/keys';
import { acquireLease } from '@arb/bus/leader-lease';
import { LedgerEntrySchema } from '@arb/bus/ledger-entry';
import { OrderOutcomeEventSchema } from '@arb/bus/order-outcome-event';
import { appendMessage, StreamConsumer } from '@arb/bus/stream';
import { makeHedgeId } from '@arb/core/hedge';
import type { Redis } from 'ioredis';

/**
 * Test support: writes a hedge into Redis exactly through the bus functions strategy and risk use
 * (lease → recorded open intent → order workers' outcome events → ledger fills → risk status "open"), then
 * closes it the same way. Open legs are answered 3 ms (Aster) and 4 ms (Backpack) after the decision.
 */
export async function openTestHedge(
  redis: Redis,
  names: RedisNames,
  pair: string,
  at: number,
): Promise<{ hedgeId: string; close(closeAt: number, pnl: number): Promise<void> }> {
  const fence = await acquireLease(redis, names, pair, 'test-strategy', 60_000);
  if (fence === null) throw new Error('lease taken');
  const holder = { owner: 'test-strategy', fence };
  await writeControlFlags(redis, names, { reconciled: true }, { by: 'test-risk', reason: 'reconciled', at });
  const hedgeId = makeHedgeId(at, Math.floor(Math.random() * 36 ** 4));
  const intent: HedgeIntent = {
    v: 1,
    hedgeId,
    pair,
    action: 'open',
    direction: 'buy_aster_sell_backpack',
    qty: 0.02,
    expectedEdge: 140,
    reason: 'spread',
    quoteSeqs: { aster: 1, backpack: 1 },
    priceGuards: { aster: 100_100, backpack: 99_900 },
    fence,
    createdAt: at,
  };
  const rec = await recordOpenIntent(redis, names, intent, holder);
  if (!rec.ok) throw new Error(`open refused: ${rec.reason}`);
  const status = (phase: 'open' | 'closed', closedAt: number | null, exposure: number) => ({
    v: 1 as const,
    hedgeId,
    pair,
    phase,
    openedAt: at + 5,
    closedAt,
    exposure: { aster: exposure, backpack: -exposure },
    note: phase === 'open' ? 'both legs filled' : 'closed',
    updatedAt: closedAt ?? at + 5,
  });
  const fill = (
    venue: 'aster' | 'backpack',
    side: 'buy' | 'sell',
    role: 'open' | 'close',
    price: number,
    t: number,
  ) =>
    appendMessage(redis, names.ledgerStream, LedgerEntrySchema, {
      v: 1,
      kind: 'fill',
      hedgeId,
      pair,
      at: t,
      role,
      attempt: 1,
      legId: `${hedgeId}-${venue}-${role}1`,
      venue,
      symbol: venue === 'aster' ? `${pair}USDT` : `${pair}_USDC_PERP`,
      side,
      qty: 0.02,
      price,
      fee: 0.7,
      feeAsset: 'USDT',
      clientOrderId: `${hedgeId}-${venue}-${role}1`,
      venueOrderId: String(t),
    });
  for (const [venue, side, price, ackAt] of [
    ['aster', 'buy', 100_010, at + 3],
    ['backpack', 'sell', 100_150, at + 4],
  ] as const) {
    const id = `${hedgeId}-${venue}-open1`;
    await appendMessage(redis, names.outcomeStream, OrderOutcomeEventSchema, {
      v: 1,
      hedgeId,
      pair,
      role: 'open',
      attempt: 1,
      jobId: id,
      outcome: {
        kind: 'filled',
        venue,
        clientOrderId: id,
        venueOrderId: String(ackAt),
        side,
        qty: 0.02,
        avgPrice: price,
        fee: 0.7,
        feeAsset: 'USDT',
        executedAt: ackAt,
      },
      sentAt: at + 1,
      ackAt,
      probed: false,
    });
  }
  await fill('aster', 'buy', 'open', 100_010, at + 3);
  await fill('backpack', 'sell', 'open', 100_150, at + 4);
  await appendMessage(redis, names.ledgerStream, LedgerEntrySchema, {
    v: 1,
    kind: 'hedge_opened',
    hedgeId,
    pair,
    at: at + 5,
    direction: 'buy_aster_sell_backpack',
    qty: 0.02,
  });
  await writeHedgeStatus(redis, names, status('open', null, 0.02));
  return {
    hedgeId,
    async close(closeAt, pnl) {
      const closing = await recordCloseIntent(
        redis,
        names,
        { ...intent, action: 'close', reason: 'spread_converged', createdAt: closeAt },
        holder,
      );
      if (!closing.ok) throw new Error(`close refused: ${closing.reason}`);
      await fill('aster', 'sell', 'close', 100_060, closeAt + 1);
      await fill('backpack', 'buy', 'close', 100_100, closeAt + 2);
      await appendMessage(redis, names.ledgerStream, LedgerEntrySchema, {
        v: 1,
        kind: 'hedge_closed',
        hedgeId,
        pair,
        at: closeAt + 3,
        realizedPnl: pnl,
        fees: 2.8,
        volume: 8006.4,
        reason: 'spread_converged',
      });
      await writeHedgeStatus(redis, names, status('closed', closeAt + 3, 0));
    },
  };
}

/**
 * Test support, standing in for risk's command handling (services/risk executes commands in production):
 * consumes the command stream and sets the control flags for pause / resume / kill.
 */
export async function startTestCommandApplier(
  redis: Redis,
  names: RedisNames,
): Promise<StreamConsumer<typeof ControlCommandSchema>> {
  const consumer = new StreamConsumer({
    redis,
    stream: names.commandStream,
    group: 'test-risk',
    consumer: 'test-risk-1',
    schema: ControlCommandSchema,
    blockMs: 200,
    handler: async ({ message }: { message: ControlCommand }) => {
      const meta = { by: message.by, reason: message.reason ?? message.command, at: Date.now() };
      if (message.command === 'pause') await writeControlFlags(redis, names, { paused: true }, meta);
      if (message.command === 'resume') await writeControlFlags(redis, names, { paused: false }, meta);
      if (message.command === 'kill') await writeControlFlags(redis, names, { killed: true }, meta);
    },
  });
  await consumer.start();
  return consumer;
}
