import { describe, expect, it } from 'vitest';
import { decimalsOf, formatSteps, stepsDown } from './decimal';

describe('decimal', () => {
  it('formats step counts exactly', () => {
    expect(decimalsOf(0.00001)).toBe(5);
    expect(decimalsOf(0.1)).toBe(1);
    expect(decimalsOf(1)).toBe(0);
    expect(formatSteps(stepsDown(0.02, 0.00001), 0.00001)).toBe('0.02000');
    expect(formatSteps(stepsDown(0.0123456, 0.00001), 0.00001)).toBe('0.01234');
    expect(formatSteps(1129951, 0.1)).toBe('112995.1');
    expect(formatSteps(3, 1)).toBe('3');
  });
});
