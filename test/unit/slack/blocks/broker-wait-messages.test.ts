import type { ActionsBlock, Button, KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { approvalMessage } from '../../../../src/slack/blocks/approval-message.js';
import { noticeMessage } from '../../../../src/slack/blocks/notice-message.js';
import { grant, MINUTE, requestView, T0, textsOf } from '../../../support/slack-builders.js';

const WAITING = 'waiting for the access broker; access is granted as soon as it answers';
const OUTAGE = { code: 'broker_unavailable', message: 'the access broker did not answer for 10m' };
const approvals = [{ userId: 'U0LEAD', at: T0 + MINUTE }];

function buttonsOf(blocks: readonly KnownBlock[]): Button[] {
  return blocks
    .filter((block): block is ActionsBlock => block.type === 'actions')
    .flatMap((block) => block.elements as Button[]);
}

const RETRY = { type: 'button', action_id: 'jump_retry_grant', value: 'req_abc', style: 'primary' };

describe('messages while the broker is waited for', () => {
  const view = requestView({
    id: 'req_abc',
    status: 'approved',
    approvals,
    grant: grant(),
    grantWaitingSince: T0 + MINUTE,
  });

  it('the approval message says who approved and that access follows by itself, without buttons', () => {
    const message = approvalMessage(view, T0 + 2 * MINUTE);
    expect(textsOf(message.blocks)).toContain(`:hourglass: Approved by <@U0LEAD> — ${WAITING}`);
    expect(message.text).toContain(`Approved by <@U0LEAD> — ${WAITING}`);
    expect(buttonsOf(message.blocks)).toEqual([]);
  });

  it('an approved request not waiting still says the certificate is being issued', () => {
    const issuing = requestView({ status: 'approved', approvals, grant: grant() });
    expect(textsOf(approvalMessage(issuing, T0).blocks)).toContain(
      ':white_check_mark: Approved — issuing the certificate…',
    );
  });

  it('the requester is told once, in a DM, that nothing is needed from them', () => {
    const message = noticeMessage({ type: 'waiting', view }, T0 + 2 * MINUTE);
    expect(textsOf(message.blocks)[0]).toBe(
      `:hourglass: Your request \`req_abc\` for *prod-db* was approved by <@U0LEAD> — ${WAITING}. ` +
        'The certificate comes here by itself.',
    );
  });
});

describe('a request the broker stayed down for: the Retry button', () => {
  const failed = (overrides = {}) =>
    requestView({ id: 'req_abc', status: 'failed', approvals, grant: grant(), failure: OUTAGE, ...overrides });

  it('is on the approval message and the DM while a Retry could be taken', () => {
    const now = T0 + 12 * MINUTE;
    expect(buttonsOf(approvalMessage(failed(), now).blocks)).toMatchObject([RETRY]);
    const dm = noticeMessage({ type: 'closed', view: failed() }, now);
    expect(buttonsOf(dm.blocks)).toMatchObject([RETRY]);
    expect(textsOf(dm.blocks)[0]).toBe(
      ':x: Your request `req_abc` for *prod-db* was approved, but access could not be granted: the access broker ' +
        'did not answer for 10m. Nothing was granted; press Retry once the access broker is back (no new approvals ' +
        'needed), or ask again.',
    );
  });

  it('is not offered once the approvals are stale, the window has ended, or the broker refused', () => {
    // The last approval at T0 + 1 min, request_timeout 30m; the window ends at T0 + 31 min.
    expect(buttonsOf(approvalMessage(failed(), T0 + 31 * MINUTE).blocks)).toEqual([]);
    const refused = failed({ failure: { code: 'broker_rejected', message: 'conflict' } });
    expect(buttonsOf(approvalMessage(refused, T0 + 2 * MINUTE).blocks)).toEqual([]);
    const dm = noticeMessage({ type: 'closed', view: refused }, T0 + 2 * MINUTE);
    expect(buttonsOf(dm.blocks)).toEqual([]);
    expect(textsOf(dm.blocks)[0]).toContain('Nothing was granted; you can ask again.');
  });
});
