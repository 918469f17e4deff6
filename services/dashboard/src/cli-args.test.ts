import { describe, expect, it } from 'vitest';
import { CliUsageError, parseCliArgs } from './cli-args';

describe('parseCliArgs', () => {
  it('parses every command', () => {
    expect(parseCliArgs([])).toEqual({ kind: 'help' });
    expect(parseCliArgs(['status'])).toEqual({ kind: 'status', watch: false, json: false, intervalMs: null });
    expect(parseCliArgs(['status', '--watch', '--interval', '1000'])).toMatchObject({
      watch: true,
      intervalMs: 1000,
    });
    expect(parseCliArgs(['pause', '--reason', 'lunch break'])).toEqual({
      kind: 'control',
      command: 'pause',
      yes: false,
      reason: 'lunch break',
      waitMs: 5000,
    });
    expect(parseCliArgs(['flatten', '--yes', '--wait=0'])).toMatchObject({
      command: 'flatten',
      yes: true,
      waitMs: 0,
    });
    expect(
      parseCliArgs([
        'ledger-export',
        '--format',
        'json',
        '--out',
        'x.json',
        '--from',
        '2026-11-28T00:00:00Z',
      ]),
    ).toEqual({
      kind: 'ledger-export',
      format: 'json',
      out: 'x.json',
      from: Date.UTC(2026, 10, 28),
      to: null,
    });
    expect(parseCliArgs(['ledger-export'])).toMatchObject({ format: 'csv', out: null });
  });

  it('refuses bad input with a clear message', () => {
    const bad: [string[], RegExp][] = [
      [['frobnicate'], /unknown command "frobnicate"/],
      [['pause', '--yolo'], /unknown option --yolo/],
      [['pause', '--reason'], /--reason needs a value/],
      [['ledger-export', '--format', 'xml'], /csv or json/],
      [['ledger-export', '--from', 'yesterday'], /not an ISO time/],
      [['status', '--interval', '1s'], /whole number/],
      [['status', 'now'], /unexpected argument "now"/],
    ];
    for (const [argv, re] of bad) {
      expect(() => parseCliArgs(argv)).toThrow(CliUsageError);
      expect(() => parseCliArgs(argv)).toThrow(re);
    }
  });
});
