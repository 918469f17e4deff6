import { describe, expect, it } from 'vitest';
import { AsterApiError } from './api-error';
import { type AsterRequestContext, historyPage } from './handler-context';

/** Only `params` is read by historyPage. */
const ctxWith = (params: Record<string, string>) =>
  ({ params: new Map(Object.entries(params)) }) as unknown as AsterRequestContext;

interface Item {
  id: number;
  t: number;
}
// The engine's lists are newest first.
const newestFirst: Item[] = [5, 4, 3, 2, 1].map((id) => ({ id, t: id * 1000 }));
const page = (params: Record<string, string>, fromIdParam = 'fromId') =>
  historyPage(
    ctxWith(params),
    newestFirst,
    fromIdParam,
    (x) => x.id,
    (x) => x.t,
  ).map((x) => x.id);

describe('historyPage (allOrders, userTrades)', () => {
  it('reads oldest first, from an id, inside a time window, up to a limit', () => {
    expect(page({})).toEqual([1, 2, 3, 4, 5]);
    expect(page({ fromId: '3' })).toEqual([3, 4, 5]);
    expect(page({ orderId: '4' }, 'orderId')).toEqual([4, 5]);
    expect(page({ startTime: '2000', endTime: '4000' })).toEqual([2, 3, 4]);
    expect(page({ limit: '2' })).toEqual([1, 2]);
    expect(page({ fromId: '2', limit: '2' })).toEqual([2, 3]);
    expect(newestFirst.map((x) => x.id)).toEqual([5, 4, 3, 2, 1]);
  });

  it('rejects a limit outside 1..1000 and a malformed id', () => {
    expect(() => page({ limit: '0' })).toThrow(AsterApiError);
    expect(() => page({ limit: '1001' })).toThrow(AsterApiError);
    expect(() => page({ fromId: 'x' })).toThrow(AsterApiError);
  });
});
