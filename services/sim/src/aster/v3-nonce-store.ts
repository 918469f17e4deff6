/**
 * Replay protection of V3 nonces [DOC3 §V3 Nonce Mechanism]: per agent (signer) address, the most recent
 * N nonces are kept; a nonce already in the list is a duplicate, and when the list is full a nonce smaller
 * than its minimum is expired. Otherwise the oldest is dropped and the new one kept.
 */
export class V3NonceStore {
  private readonly byAgent = new Map<string, bigint[]>();

  constructor(private readonly memory: number) {}

  /** Records the nonce; returns false when it is reused or too old. */
  accept(agent: string, nonce: bigint): boolean {
    const key = agent.toLowerCase();
    const list = this.byAgent.get(key) ?? [];
    if (list.includes(nonce)) return false;
    if (list.length >= this.memory) {
      let min = list[0] ?? nonce;
      for (const n of list) if (n < min) min = n;
      if (nonce < min) return false;
      list.splice(list.indexOf(min), 1);
    }
    list.push(nonce);
    this.byAgent.set(key, list);
    return true;
  }
}
