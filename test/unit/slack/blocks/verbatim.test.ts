import type { KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { approvalMessage } from '../../../../src/slack/blocks/approval-message.js';
import { breakglassGranted } from '../../../../src/slack/blocks/breakglass-confirm.js';
import { noticeMessage } from '../../../../src/slack/blocks/notice-message.js';
import { requestSentMessage } from '../../../../src/slack/blocks/request-sent-message.js';
import { accessRequest } from '../../../support/builders.js';
import { requestView, T0 } from '../../../support/slack-builders.js';

/** Words Slack turns into links or mentions when a text object is not verbatim. */
const AUTO_PARSED = 'see https://evil.example/login and #general, @here';

/** Every mrkdwn text object in the blocks, nested ones included. */
function mrkdwnObjects(blocks: readonly KnownBlock[]): { text: string; verbatim?: boolean }[] {
  const out: { text: string; verbatim?: boolean }[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== 'object' || node === null) return;
    const record = node as Record<string, unknown>;
    if (record.type === 'mrkdwn' && typeof record.text === 'string')
      out.push(record as { text: string; verbatim?: boolean });
    for (const value of Object.values(record)) visit(value);
  };
  visit(blocks);
  return out;
}

describe('text objects carrying user text are verbatim', () => {
  it('the approval message: the reason is in a verbatim text object, and so is every other', () => {
    const message = approvalMessage(requestView({ reason: AUTO_PARSED }), T0);
    const objects = mrkdwnObjects(message.blocks);
    expect(objects.find((o) => o.text.includes('https://evil.example'))).toMatchObject({ verbatim: true });
    expect(objects.filter((o) => o.verbatim !== true)).toEqual([]);
  });

  it('the denial the requester reads: the approver’s words are verbatim', () => {
    const view = requestView({ status: 'denied', decision: { by: 'U0LEAD', reason: AUTO_PARSED, at: T0 } });
    const objects = mrkdwnObjects(noticeMessage({ type: 'closed', view }, T0).blocks);
    expect(objects.some((o) => o.text.includes('#general'))).toBe(true);
    expect(objects.filter((o) => o.verbatim !== true)).toEqual([]);
  });
});

describe('a failure shown in Slack names no internal address', () => {
  const failure = {
    code: 'broker_unavailable',
    message: 'the broker at http://10.0.0.7:8600 did not answer (connect ECONNREFUSED 10.0.0.7:8600)',
  };

  it.each([
    ['the approval message', () => approvalMessage(requestView({ status: 'failed', failure }), T0)],
    [
      'the DM to the requester',
      () => noticeMessage({ type: 'closed', view: requestView({ status: 'failed', failure }) }, T0),
    ],
    [
      'the auto-approval confirmation',
      () =>
        requestSentMessage(
          accessRequest({ status: 'failed', failure, autoApproval: { escalationPolicyId: 'PESC1', level: 1 } }),
        ),
    ],
    [
      'the breakglass confirmation',
      () => breakglassGranted(accessRequest({ kind: 'breakglass', status: 'failed', failure })),
    ],
  ])('%s', (_label, build) => {
    const shown = JSON.stringify(build());
    expect(shown).toContain('did not answer');
    expect(shown).not.toMatch(/10\.0\.0\.7|http:\/\//);
  });
});
