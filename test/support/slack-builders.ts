import type { KnownBlock } from '@slack/types';
import type { AccessRequest, GrantRecord } from '../../src/domain/access-request.js';
import type { RequestView } from '../../src/service/support/request-view.js';
import { accessRequest } from './builders.js';
import { type WorkflowOverrides, workflow } from './policy-builders.js';

/** 2027-01-15 08:00:00 UTC, the builders' createdAt. */
export const T0 = 1_800_000_000_000;
export const MINUTE = 60_000;

/** Text that tries every way user text could ping, link or break out of code in mrkdwn. */
export const HOSTILE = '<!channel> <@U0EVIL> <!subteam^S0EVIL> <http://evil.example|click me> a & b ``` `x`';

/** A request with its workflow and target (the example `production` workflow, target prod-db). */
export function requestView(overrides: Partial<AccessRequest> = {}, policy: WorkflowOverrides = {}): RequestView {
  const flow = workflow({
    targets: [{ name: 'prod-db', hosts: ['db-1.internal', 'db-2.internal'], principals: ['dbadmin'] }],
    ...policy,
  });
  const target = flow.targets[0]!;
  return { request: accessRequest({ createdAt: T0, updatedAt: T0, ...overrides }), workflow: flow, target };
}

/** The grant of an approved request: 30 minutes from T0 + 1 minute. */
export function grant(overrides: Partial<GrantRecord> = {}): GrantRecord {
  return {
    id: 'grant_test',
    notBefore: T0 + MINUTE,
    notAfter: T0 + 31 * MINUTE,
    principals: ['dbadmin'],
    hosts: ['db-1.internal', 'db-2.internal'],
    ...overrides,
  };
}

/** Every mrkdwn and plain text string in blocks (and nested elements), in order. */
export function textsOf(blocks: readonly KnownBlock[] | readonly unknown[]): string[] {
  const out: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== 'object' || node === null) return;
    const record = node as Record<string, unknown>;
    if ((record.type === 'mrkdwn' || record.type === 'plain_text') && typeof record.text === 'string')
      out.push(record.text);
    for (const value of Object.values(record)) visit(value);
  };
  visit(blocks);
  return out;
}

/** All text of a message, fallback first, as one string for `toContain` checks. */
export function allText(message: { text: string; blocks: readonly KnownBlock[] }): string {
  return [message.text, ...textsOf(message.blocks)].join('\n');
}

/** Asserts by returning the control sequences hostile text would have produced if left unescaped. */
export function unescapedControls(text: string): string[] {
  return text.match(/<!channel>|<@U0EVIL>|<!subteam\^S0EVIL>|<http:\/\/evil\.example/g) ?? [];
}
