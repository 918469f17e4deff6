import type { SimLevel } from '../engine/types';

/** Level changes between two book sides as [price, absolute qty] ("0" qty = level deleted), ascending by price. */
export function diffSide(
  prev: readonly SimLevel[],
  next: readonly SimLevel[],
  fmtPrice: (v: number) => string,
  fmtQty: (v: number) => string,
): [string, string][] {
  const before = new Map<string, { price: number; qty: string }>();
  for (const l of prev) before.set(fmtPrice(l.price), { price: l.price, qty: fmtQty(l.qty) });
  const changes: { price: number; level: [string, string] }[] = [];
  const seen = new Set<string>();
  for (const l of next) {
    const key = fmtPrice(l.price);
    seen.add(key);
    const qty = fmtQty(l.qty);
    if (before.get(key)?.qty !== qty) changes.push({ price: l.price, level: [key, qty] });
  }
  for (const [key, old] of before) {
    if (!seen.has(key)) changes.push({ price: old.price, level: [key, fmtQty(0)] });
  }
  changes.sort((x, y) => x.price - y.price);
  return changes.map((c) => c.level);
}
