/**
 * Runs a request handler from the event loop's check phase instead of the poll callback that parsed it.
 *
 * Both venues share this process and its event loop, and an order's handling is synchronous work of up
 * to ~1.5 ms (signature check, matching, the book fan-out to the feeds). Handled at once, a request to
 * the OTHER venue whose bytes arrived in the same poll would only be read (and timed by the benchmark)
 * after that work. From the check phase, every request that arrived together is read first and then
 * handled in arrival order, as two separate exchanges would receive them.
 */
export function afterPoll<A extends unknown[]>(handler: (...args: A) => void): (...args: A) => void {
  return (...args: A) => {
    setImmediate(handler, ...args);
  };
}
