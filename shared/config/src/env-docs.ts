import { CONFIG_KEYS, type ConfigKey, type KeySection, type KeySpec } from './config-keys';

/** `.env.example` and the README configuration table, rendered from CONFIG_KEYS (the one source). */

export const README_START = '<!-- config:start -->';
export const README_END = '<!-- config:end -->';

const SECTION_TITLES: Record<KeySection, string> = {
  general: 'General',
  strategy: 'Strategy (the original bot parameters, plus fees and freshness)',
  aster: 'AsterDex',
  backpack: 'Backpack',
  sim: 'Simulator',
  feeds: 'Market-data feeds',
  orders: 'Order workers',
  risk: 'Risk',
  dashboard: 'Dashboard',
};

function entries(): [ConfigKey, KeySpec<unknown>][] {
  return Object.entries(CONFIG_KEYS) as [ConfigKey, KeySpec<unknown>][];
}

function bySection(): Map<KeySection, [ConfigKey, KeySpec<unknown>][]> {
  const out = new Map<KeySection, [ConfigKey, KeySpec<unknown>][]>();
  for (const e of entries()) {
    const list = out.get(e[1].section) ?? [];
    list.push(e);
    out.set(e[1].section, list);
  }
  return out;
}

export function renderEnvExample(): string {
  const lines = [
    '# arb configuration: every key the product reads, with its default and meaning.',
    '# Generated from shared/config/src/config-keys.ts by `npm run docs -w @arb/config`; do not edit by hand.',
    '# Copy to .env at the repo root (never commit .env). Real environment variables win over .env.',
    '# In sim mode (the default) nothing is required. Live mode needs LIVE_TRADING_CONFIRM=yes, keys for',
    '# both venues and DASHBOARD_PASSWORD. Commented-out keys have no plain default (see the note).',
  ];
  for (const [section, list] of bySection()) {
    lines.push('', `# ---- ${SECTION_TITLES[section]}`);
    for (const [key, spec] of list) {
      lines.push(`# ${spec.meaning}. Expected: ${spec.expected}.`);
      if (spec.default !== undefined && !spec.secret) lines.push(`${key}=${spec.default}`);
      else lines.push(`# ${key}=${spec.defaultDoc ? `  ${spec.defaultDoc}` : ''}`.trimEnd());
    }
  }
  return `${lines.join('\n')}\n`;
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|');
}

export function renderConfigTable(): string {
  const lines = [
    'Every key is read by `@arb/config` (environment first, then `.env` at the repo root) and validated at',
    'start: one bad configuration stops the service with one error listing every problem. `.env.example`',
    'documents the same keys. Generated from `shared/config/src/config-keys.ts` by',
    '`npm run docs -w @arb/config`.',
  ];
  for (const [section, list] of bySection()) {
    const rows = list.map(([key, spec]) => [
      `\`${key}\``,
      cell(spec.default !== undefined ? `\`${spec.default}\`` : (spec.defaultDoc ?? '')),
      cell(spec.meaning),
      spec.usedBy.join(', '),
    ]);
    lines.push(
      '',
      `**${SECTION_TITLES[section]}**`,
      '',
      ...alignedTable(['key', 'default', 'meaning', 'used by'], rows),
    );
  }
  return lines.join('\n');
}

/** A Markdown table padded the way the formatter (biome) lays it out, so formatting leaves it alone. */
function alignedTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, 3, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

/** README text with the configuration section (between the markers) replaced. */
export function withConfigTable(readme: string): string {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start) throw new Error(`README has no ${README_START} ... ${README_END} markers`);
  return `${readme.slice(0, start + README_START.length)}\n${renderConfigTable()}\n${readme.slice(end)}`;
}
