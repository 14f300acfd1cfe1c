/**
 * The bench's output: one line per figure, `name value unit`, and comment lines starting with
 * `#` that say how a figure was obtained. A figure that could not be measured prints `n/a`.
 */
export interface Figure {
  readonly name: string;
  readonly value: number | 'n/a';
  readonly unit: string;
}

export interface Output {
  figure(name: string, value: number | 'n/a', unit: string): void;
  comment(text: string): void;
  readonly figures: readonly Figure[];
}

export function createOutput(write: (line: string) => void): Output {
  const figures: Figure[] = [];
  return {
    figure(name, value, unit) {
      figures.push({ name, value, unit });
      write(`${name} ${formatValue(value)} ${unit}`);
    },
    comment(text) {
      for (const line of text.split('\n')) write(`# ${line}`);
    },
    figures,
  };
}

/** Integers as they are; other numbers with up to 3 significant decimals, never exponent notation. */
export function formatValue(value: number | 'n/a'): string {
  if (value === 'n/a') return value;
  if (!Number.isFinite(value)) return 'n/a';
  if (Number.isInteger(value)) return String(value);
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : Math.abs(value) >= 1 ? 2 : 3;
  return value.toFixed(digits);
}

/** The nearest-rank percentile (p in 0..100) of `values`; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

/** The figure lines of a bench run's output, by name (comments and other lines skipped). */
export function parseFigures(stdout: string): Map<string, { value: number | 'n/a'; unit: string }> {
  const figures = new Map<string, { value: number | 'n/a'; unit: string }>();
  for (const line of stdout.split('\n')) {
    const match = /^([a-z][a-z0-9_]*) (-?\d+(?:\.\d+)?|n\/a) (\S+)$/.exec(line.trim());
    if (!match) continue;
    const [, name, value, unit] = match;
    figures.set(name!, { value: value === 'n/a' ? 'n/a' : Number(value), unit: unit! });
  }
  return figures;
}

/** Every figure `npm run bench` prints, in order: the test checks that each is there. */
export const FIGURE_NAMES = [
  'audit_appends_per_s_1proc',
  'audit_appends_per_s_3proc',
  'audit_append_failures',
  'burst_failures',
  'ack_write_p50_ms',
  'ack_write_p99_ms',
  'ack_read_p50_ms',
  'ack_read_p99_ms',
  'cpu_ms_per_command',
  'grant_p95_ms',
  'requests_per_s',
  'active_grants',
  'redis_bytes_per_grant',
  'revoke_lag_p50_ms',
  'revoke_lag_p99_ms',
  'revoke_lag_max_ms',
  'bot_rss_mb',
  'krl_bytes',
  'krl_write_ms',
] as const;
