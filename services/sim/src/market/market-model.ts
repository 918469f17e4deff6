import type { SimClock } from '../engine/clock';
import { decimalsOf, floorToStep, qty as qtyRound, roundTo } from '../engine/decimal';
import { createPrng, deriveSeed, type Prng } from '../engine/prng';
import type { SimBook, SimLevel, SimVenue } from '../engine/types';
import { type Dislocation, dislocationEnd, dislocationOffsets } from './dislocation';
import type { ExternalTop } from './live-quotes';
import type { ReplayTimeline } from './replay';

export const SIM_VENUES: readonly SimVenue[] = ['aster', 'backpack'];

/** Books older than this behind the clock are not re-published to clients during a catch-up. */
const CATCH_UP_MS = 2000;

export interface VenueMarketParams {
  tickSize: number;
  stepSize: number;
  /** Mean basis of this venue's mid over the true price (USD). */
  basisUsd: number;
  /** Stationary standard deviation of the basis noise (USD). */
  basisNoiseUsd: number;
  /** Bid/ask spread range in ticks (inclusive). */
  spreadTicks: [number, number];
  levels: number;
  /** Gap between successive depth levels, in ticks (inclusive range). */
  levelGapTicks: [number, number];
  /** Top-of-book size range (base units); deeper levels grow from it. */
  topSize: [number, number];
  /** Book changes per second (bookTicker rate). */
  updatesPerSecond: number;
}

export interface MarketModelOptions {
  clock: SimClock;
  seed: number;
  startPrice: number;
  /** Standard deviation of the true price per sqrt(second), USD. */
  volatilityUsd: number;
  /** Basis mean-reversion speed (1/s). */
  basisReversionPerSec: number;
  tickMs: number;
  venues: Record<SimVenue, VenueMarketParams>;
  /** Dislocations relative to the market's start (startAt is ms after start). */
  dislocations: Dislocation[];
  /** When set, top of book comes from a recording instead of the random walk. */
  replay?: ReplayTimeline;
  /**
   * Paper mode: these venues' books stay EMPTY until their first external top arrives (setExternalTop),
   * so no order ever fills at a made-up price.
   */
  awaitExternalTops?: readonly SimVenue[];
  /** Such a venue's book empties again when its last external top is older than this (default 10 s). */
  externalStaleMs?: number;
}

export interface MarketBook extends SimBook {
  mid: number;
}

interface VenueState {
  params: VenueMarketParams;
  prng: Prng;
  basis: number;
  spreadTicks: number;
  gaps: number[];
  bidSizes: number[];
  askSizes: number[];
  book: MarketBook;
  updateId: number;
  pausedCounter: number;
  /** Flips on every paused re-publish: the top sizes alternate by one step so change-driven streams tick. */
  pausedFlip: boolean;
  replayTop: { bid: number; bidQty: number; ask: number; askQty: number } | null;
  /** Sim time of the last external top (paper mode). */
  externalAt: number;
  listeners: Set<(book: MarketBook) => void>;
}

/**
 * The market underneath both venue engines: a seeded "true price" random walk, per-venue basis noise,
 * spreads and depth, and dislocations in both directions. Time advances in fixed ticks on the sim clock
 * (`advanceTo`), so the state at any time is a function of the seed and the admin calls made, never of
 * timer jitter. Paused: the walk, basis, spreads and sizes freeze but books keep being re-published at the
 * normal rate, so prices are fully predictable in tests while feeds stay fresh: the top sizes alternate by
 * one step on each paused re-publish, so streams that push only on change (Aster bookTicker) keep ticking.
 */
export class MarketModel {
  readonly startedAt: number;
  readonly #opts: MarketModelOptions;
  readonly #walk: Prng;
  readonly #venues: Record<SimVenue, VenueState>;
  readonly #dislocations: Dislocation[] = [];
  #truePrice: number;
  #replayOffset = 0;
  #nextTick: number;
  #paused = false;
  #forceEmit = false;
  #replayCursor = 0;
  #replayLap = 0;
  readonly #externalDirty = new Set<SimVenue>();
  #catchingUp = false;
  #advancing = false;

  constructor(opts: MarketModelOptions) {
    this.#opts = opts;
    this.startedAt = opts.clock.now();
    this.#nextTick = this.startedAt;
    this.#truePrice = opts.startPrice;
    this.#walk = createPrng(deriveSeed(opts.seed, 'walk'));
    for (const d of opts.dislocations) this.#insertDislocation({ ...d, startAt: this.startedAt + d.startAt });
    const mk = (venue: SimVenue): VenueState => {
      const params = opts.venues[venue];
      const prng = createPrng(deriveSeed(opts.seed, `venue:${venue}`));
      const st: VenueState = {
        params,
        prng,
        basis: params.basisUsd,
        spreadTicks: params.spreadTicks[0],
        gaps: [],
        bidSizes: [],
        askSizes: [],
        book: { bids: [], asks: [], updateId: 0, time: this.startedAt, mid: opts.startPrice },
        updateId: 0,
        pausedCounter: 0,
        pausedFlip: false,
        replayTop: null,
        externalAt: 0,
        listeners: new Set(),
      };
      for (let i = 0; i < params.levels; i++) {
        st.gaps.push(this.#drawGap(st));
        st.bidSizes.push(this.#drawSize(st, i));
        st.askSizes.push(this.#drawSize(st, i));
      }
      return st;
    };
    this.#venues = { aster: mk('aster'), backpack: mk('backpack') };
    if (opts.replay) this.#applyReplayUpTo(this.startedAt);
    for (const v of SIM_VENUES) this.#emit(v, this.startedAt, false);
  }

  get paused(): boolean {
    return this.#paused;
  }

  setPaused(paused: boolean): void {
    this.advanceTo(this.#opts.clock.now());
    this.#paused = paused;
  }

  truePrice(): number {
    return this.#truePrice;
  }

  /** Current book of a venue (after advancing to the clock's now). */
  book(venue: SimVenue): MarketBook {
    this.advanceTo(this.#opts.clock.now());
    return this.#venues[venue].book;
  }

  onBook(venue: SimVenue, listener: (book: MarketBook) => void): () => void {
    const set = this.#venues[venue].listeners;
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Moves the true price now: to `price`, or by `deltaUsd`. Books re-publish on the next tick. */
  jump(change: { price?: number; deltaUsd?: number }): number {
    this.advanceTo(this.#opts.clock.now());
    const target = change.price ?? this.#truePrice + (change.deltaUsd ?? 0);
    const external = this.#venues.aster.replayTop !== null || this.#venues.backpack.replayTop !== null;
    if (this.#opts.replay || external) this.#replayOffset += target - this.#truePrice;
    this.#truePrice = target;
    this.#forceEmit = true;
    return target;
  }

  /**
   * Sets a venue's top of book from outside (paper mode: the real venue's bookTicker). From then on the
   * venue's book is built around it (depth synthesized behind it) and re-published on the next tick.
   */
  setExternalTop(venue: SimVenue, top: ExternalTop): void {
    this.advanceTo(this.#opts.clock.now());
    this.#venues[venue].replayTop = { ...top };
    this.#venues[venue].externalAt = this.#opts.clock.now();
    this.#externalDirty.add(venue);
    this.#refreshTruePriceFromTops();
  }

  /** Starts a dislocation now (or at `startAt`, absolute sim time). */
  addDislocation(d: Omit<Dislocation, 'startAt'> & { startAt?: number }): Dislocation {
    this.advanceTo(this.#opts.clock.now());
    const full: Dislocation = { ...d, startAt: d.startAt ?? this.#opts.clock.now() };
    this.#insertDislocation(full);
    this.#forceEmit = true;
    return full;
  }

  #insertDislocation(d: Dislocation): void {
    let i = this.#dislocations.length;
    while (i > 0 && (this.#dislocations[i - 1] as Dislocation).startAt > d.startAt) i--;
    this.#dislocations.splice(i, 0, d);
  }

  /** The dislocations that can affect time t (sorted by start; finished ones are dropped). */
  #relevantDislocations(t: number): Dislocation[] {
    while (this.#dislocations.length > 0 && dislocationEnd(this.#dislocations[0] as Dislocation) < t) {
      this.#dislocations.shift();
    }
    const out: Dislocation[] = [];
    for (const d of this.#dislocations) {
      if (d.startAt > t) break;
      if (dislocationEnd(d) >= t) out.push(d);
    }
    return out;
  }

  dislocations(): readonly Dislocation[] {
    return this.#dislocations;
  }

  /**
   * True while advanceTo replays ticks more than CATCH_UP_MS behind its target (after an event-loop
   * stall or a big ManualClock step): listeners still see every book (resting orders must match), but
   * may skip re-publishing such stale books to clients.
   */
  get catchingUp(): boolean {
    return this.#catchingUp;
  }

  /** Runs every market tick up to and including time t. */
  advanceTo(t: number): void {
    // A listener that reads a book while a tick is being published must not run later ticks inside it.
    if (this.#advancing) return;
    this.#advancing = true;
    try {
      while (this.#nextTick <= t) {
        const tick = this.#nextTick;
        this.#nextTick += this.#opts.tickMs;
        this.#catchingUp = tick < t - CATCH_UP_MS;
        this.#runTick(tick);
      }
    } finally {
      this.#catchingUp = false;
      this.#advancing = false;
    }
  }

  #runTick(t: number): void {
    const dt = this.#opts.tickMs / 1000;
    const replay = this.#opts.replay;
    const replayed = replay && !this.#paused ? this.#applyReplayUpTo(t) : new Set<SimVenue>();
    if (!this.#paused && !replay) {
      this.#truePrice += this.#opts.volatilityUsd * Math.sqrt(dt) * this.#walk.normal();
    }
    const disloc = this.#dislocationActive(t);
    const force = this.#forceEmit;
    this.#forceEmit = false;
    for (const v of SIM_VENUES) {
      const st = this.#venues[v];
      const p = Math.min(1, st.params.updatesPerSecond * dt);
      let change: boolean;
      if (this.#paused) {
        st.pausedCounter += p;
        change = st.pausedCounter >= 1;
        if (change) st.pausedCounter -= 1;
      } else {
        change = st.prng.next() < p;
        if (change) this.#mutate(st, dt / p);
      }
      if (replay && !this.#paused) change = replayed.has(v) || (change && disloc);
      if (change || force || this.#externalDirty.has(v)) this.#emit(v, t, true);
      this.#externalDirty.delete(v);
    }
  }

  #dislocationActive(t: number): boolean {
    return this.#relevantDislocations(t).length > 0;
  }

  /** One book change of a venue: basis (OU), spread, a few level sizes and gaps. */
  #mutate(st: VenueState, elapsedSec: number): void {
    const theta = this.#opts.basisReversionPerSec;
    const sigma = st.params.basisNoiseUsd * Math.sqrt(2 * theta);
    st.basis +=
      theta * (st.params.basisUsd - st.basis) * elapsedSec + sigma * Math.sqrt(elapsedSec) * st.prng.normal();
    const [lo, hi] = st.params.spreadTicks;
    st.spreadTicks = lo + Math.floor(st.prng.next() * (hi - lo + 1));
    for (let k = 0; k < 3; k++) {
      const i = Math.floor(st.prng.next() * st.params.levels);
      const side = st.prng.next() < 0.5 ? st.bidSizes : st.askSizes;
      side[i] = this.#drawSize(st, i);
    }
    const g = Math.floor(st.prng.next() * st.params.levels);
    st.gaps[g] = this.#drawGap(st);
  }

  #drawGap(st: VenueState): number {
    const [lo, hi] = st.params.levelGapTicks;
    return lo + Math.floor(st.prng.next() * (hi - lo + 1));
  }

  #drawSize(st: VenueState, level: number): number {
    const [lo, hi] = st.params.topSize;
    const base = lo + (hi - lo) * st.prng.next();
    return Math.max(st.params.stepSize, floorToStep(base * (1 + level * 0.25), st.params.stepSize));
  }

  #halfSpreadsForCalibration(): Record<SimVenue, number> {
    const half = (v: SimVenue) => {
      const st = this.#venues[v];
      if (st.replayTop) return (st.replayTop.ask - st.replayTop.bid) / 2;
      return (st.params.spreadTicks[1] * st.params.tickSize) / 2;
    };
    return { aster: half('aster'), backpack: half('backpack') };
  }

  #emit(v: SimVenue, t: number, notify: boolean): void {
    const st = this.#venues[v];
    const { tickSize } = st.params;
    const pd = decimalsOf(tickSize);
    const offset = dislocationOffsets(this.#relevantDislocations(t), t, this.#halfSpreadsForCalibration())[v];
    let bestBid: number;
    let bestAsk: number;
    let topBid = st.bidSizes[0] ?? 0;
    let topAsk = st.askSizes[0] ?? 0;
    const awaiting = this.#opts.awaitExternalTops?.includes(v) ?? false;
    const staleMs = this.#opts.externalStaleMs ?? 10_000;
    if (awaiting && (!st.replayTop || t - st.externalAt > staleMs)) {
      st.updateId += 1;
      st.book = { bids: [], asks: [], updateId: st.updateId, time: t, mid: this.#truePrice };
      if (notify) for (const l of st.listeners) l(st.book);
      return;
    }
    if (st.replayTop) {
      bestBid = floorToStep(st.replayTop.bid + this.#replayOffset + offset, tickSize);
      bestAsk = Math.max(
        roundTo(bestBid + tickSize, pd),
        floorToStep(st.replayTop.ask + this.#replayOffset + offset, tickSize),
      );
      topBid = st.replayTop.bidQty > 0 ? st.replayTop.bidQty : topBid;
      topAsk = st.replayTop.askQty > 0 ? st.replayTop.askQty : topAsk;
    } else {
      const mid = this.#truePrice + st.basis + offset;
      const spread = st.spreadTicks * tickSize;
      bestBid = floorToStep(mid - spread / 2, tickSize);
      bestAsk = roundTo(bestBid + spread, pd);
    }
    if (this.#paused) {
      st.pausedFlip = !st.pausedFlip;
      if (st.pausedFlip) {
        topBid = qtyRound(topBid + st.params.stepSize);
        topAsk = qtyRound(topAsk + st.params.stepSize);
      }
    }
    const bids: SimLevel[] = [];
    const asks: SimLevel[] = [];
    let bidTicks = 0;
    let askTicks = 0;
    for (let i = 0; i < st.params.levels; i++) {
      if (i > 0) {
        bidTicks += st.gaps[i] ?? 1;
        askTicks += st.gaps[(i * 7) % st.params.levels] ?? 1;
      }
      bids.push({
        price: roundTo(bestBid - bidTicks * tickSize, pd),
        qty: i === 0 ? topBid : (st.bidSizes[i] ?? 0),
      });
      asks.push({
        price: roundTo(bestAsk + askTicks * tickSize, pd),
        qty: i === 0 ? topAsk : (st.askSizes[i] ?? 0),
      });
    }
    st.updateId += 1;
    st.book = { bids, asks, updateId: st.updateId, time: t, mid: roundTo((bestBid + bestAsk) / 2, pd + 1) };
    if (!notify) return;
    for (const l of st.listeners) l(st.book);
  }

  /** Applies every replay record due by t; returns the venues whose top changed. */
  #applyReplayUpTo(t: number): Set<SimVenue> {
    const changed = new Set<SimVenue>();
    const replay = this.#opts.replay;
    if (!replay || replay.records.length === 0) return changed;
    for (;;) {
      const rec = replay.records[this.#replayCursor];
      if (!rec) {
        if (!replay.loop) return changed;
        this.#replayCursor = 0;
        this.#replayLap += 1;
        continue;
      }
      const at = this.startedAt + this.#replayLap * replay.lapMs + rec.offsetMs;
      if (at > t) return changed;
      this.#venues[rec.venue].replayTop = {
        bid: rec.bid,
        bidQty: rec.bidQty,
        ask: rec.ask,
        askQty: rec.askQty,
      };
      changed.add(rec.venue);
      this.#replayCursor += 1;
      this.#refreshTruePriceFromTops();
    }
  }

  #refreshTruePriceFromTops(): void {
    const a = this.#venues.aster.replayTop;
    const b = this.#venues.backpack.replayTop;
    const mids = [a, b].filter((x) => x !== null).map((x) => (x.bid + x.ask) / 2);
    if (mids.length > 0) this.#truePrice = mids.reduce((s, m) => s + m, 0) / mids.length + this.#replayOffset;
  }
}
