export interface ConfigIssue {
  /** The environment key at fault (or the keys, joined with " + ", for a relation between keys). */
  key: string;
  /** What is wrong with the value. Never contains a secret value. */
  problem: string;
  /** The expected form. */
  expected: string;
}

/** One bad configuration: every problem found, at once. Secret values are never echoed. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError' as const;
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], options?: { cause?: unknown }) {
    const lines = issues.map((i) => `  - ${i.key}: ${i.problem} (expected: ${i.expected})`);
    super(`invalid configuration, ${issues.length} problem(s):\n${lines.join('\n')}`, options);
    this.issues = Object.freeze(issues.map((i) => Object.freeze({ ...i })));
  }
}
