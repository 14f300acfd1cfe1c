import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createMetrics } from '../../../src/http/metrics.js';

/**
 * deploy/prometheus-rules.yml: checked by promtool where it is installed (Debian's `prometheus`
 * package; not in CI, it is large), and everywhere for its shape and for naming only metrics
 * that /metrics renders.
 */
const RULES = 'deploy/prometheus-rules.yml';
const run = promisify(execFile);
/** Gauges another part of the bot registers (the outbox); they are not in this render yet. */
interface Rule {
  alert?: unknown;
  expr?: unknown;
  for?: unknown;
  labels?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
}

async function rules(): Promise<Rule[]> {
  const doc = parse(await readFile(RULES, 'utf8')) as { groups?: { name?: unknown; rules?: Rule[] }[] };
  expect(Array.isArray(doc.groups)).toBe(true);
  return (doc.groups ?? []).flatMap((group) => {
    expect(typeof group.name).toBe('string');
    return group.rules ?? [];
  });
}

const hasPromtool = await run('promtool', ['--version']).then(
  () => true,
  () => false,
);

describe('Prometheus rules', () => {
  it('each rule has an alert name, an expression, a severity, a summary and a valid `for`', async () => {
    const all = await rules();
    expect(all.map((rule) => rule.alert)).toEqual([
      'JumpgateRevocationLagHigh',
      'JumpgateJobFailures',
      'JumpgateRetentionBlocked',
      'JumpgateOutboxStale',
      'JumpgateKrlStale',
    ]);
    for (const rule of all) {
      expect(typeof rule.expr, String(rule.alert)).toBe('string');
      expect(['page', 'warning']).toContain(rule.labels?.severity);
      expect(typeof rule.annotations?.summary).toBe('string');
      if (rule.for !== undefined) expect(rule.for).toMatch(/^\d+[smh]$/);
    }
  });

  it('names only metrics that /metrics renders', async () => {
    const metrics = createMetrics({
      countByStatus: () => Promise.resolve(0),
      krlStatus: () => Promise.resolve({ fetchAgeSeconds: 1, revokedSinceFetch: 0 }),
      policyHash: () => 'abc',
      outbox: () => Promise.resolve({ depth: 0, oldestAgeSeconds: 0 }),
    });
    const rendered = (await metrics.render()).body;
    const named = new Set((await rules()).flatMap((rule) => String(rule.expr).match(/jumpgate_[a-z_]+/g) ?? []));
    expect(named.size).toBeGreaterThanOrEqual(5);
    for (const name of named) {
      expect(rendered, name).toMatch(new RegExp(`^${name}(\\{| )`, 'm'));
    }
  });

  it.runIf(hasPromtool)('passes promtool check rules', async () => {
    const { stdout } = await run('promtool', ['check', 'rules', RULES]);
    expect(stdout).toContain('SUCCESS');
  });
});
