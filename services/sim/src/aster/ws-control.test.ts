import { describe, expect, it } from 'vitest';
import { parseWsControl } from './ws-control';
import { parseStreamName } from './ws-streams';

describe('parseWsControl', () => {
  it('parses the documented control messages', () => {
    expect(
      parseWsControl('{"method":"SUBSCRIBE","params":["btcusdt@bookTicker","btcusdt@depth5@100ms"],"id":1}'),
    ).toEqual({ kind: 'subscribe', id: 1, params: ['btcusdt@bookTicker', 'btcusdt@depth5@100ms'] });
    expect(parseWsControl('{"method":"UNSUBSCRIBE","params":["btcusdt@depth5"],"id":312}')).toEqual({
      kind: 'unsubscribe',
      id: 312,
      params: ['btcusdt@depth5'],
    });
    expect(parseWsControl('{"method":"LIST_SUBSCRIPTIONS","id":3}')).toEqual({ kind: 'list', id: 3 });
    expect(parseWsControl('{"method":"SET_PROPERTY","params":["combined",true],"id":5}')).toMatchObject({
      kind: 'setProperty',
      property: 'combined',
      value: true,
    });
  });

  it('answers the documented error codes', () => {
    expect(parseWsControl('pong')).toMatchObject({ kind: 'error', frame: { code: 3 } });
    expect(parseWsControl('{"method":"SUBSCRIBE","params":["x"],"id":-1}')).toMatchObject({
      kind: 'error',
      frame: { code: 2, msg: 'Invalid request: request ID must be an unsigned integer' },
    });
    expect(parseWsControl('{"method":"FOO","id":4}')).toMatchObject({
      kind: 'error',
      frame: { code: 2, id: 4 },
    });
    expect(parseWsControl('{"params":[],"id":4}')).toMatchObject({ kind: 'error', frame: { code: 2 } });
    expect(parseWsControl('{"method":"SUBSCRIBE","params":[1],"id":4}')).toMatchObject({
      kind: 'error',
      frame: { code: 2 },
    });
  });
});

describe('parseStreamName', () => {
  it('knows bookTicker, partial depth at each speed and miniTicker for the lowercase symbol', () => {
    expect(parseStreamName('btcusdt@bookTicker', 'btcusdt')).toEqual({ kind: 'bookTicker' });
    expect(parseStreamName('btcusdt@depth5@100ms', 'btcusdt')).toEqual({
      kind: 'depth',
      levels: 5,
      intervalMs: 100,
    });
    expect(parseStreamName('btcusdt@depth10', 'btcusdt')).toEqual({
      kind: 'depth',
      levels: 10,
      intervalMs: 250,
    });
    expect(parseStreamName('btcusdt@depth20@500ms', 'btcusdt')).toEqual({
      kind: 'depth',
      levels: 20,
      intervalMs: 500,
    });
    expect(parseStreamName('btcusdt@miniTicker', 'btcusdt')).toMatchObject({ kind: 'miniTicker' });
    expect(parseStreamName('BTCUSDT@bookTicker', 'btcusdt')).toEqual({ kind: 'silent' });
    expect(parseStreamName('btcusdt@depth7', 'btcusdt')).toEqual({ kind: 'silent' });
  });
});
