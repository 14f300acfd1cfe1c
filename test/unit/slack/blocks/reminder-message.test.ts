import { describe, expect, it } from 'vitest';
import { reminderMessage } from '../../../../src/slack/blocks/reminder-message.js';
import { MINUTE, requestView, T0, textsOf } from '../builders.js';

describe('reminderMessage', () => {
  const access = { escalateAfter: 10 * MINUTE, escalationApprovers: { users: ['U0BOSS'], groups: ['S0ONCALL'] } };

  it('mentions who may still approve, never the requester nor who already approved', () => {
    const view = requestView(
      { id: 'req_abc', requester: 'U0ALICE', approvalsRequired: 2, approvals: [{ userId: 'U0LEAD', at: T0 }] },
      { access: { ...access, approvers: { users: ['U0LEAD', 'U0ALICE', 'U0BOB'], groups: ['S0SRE'] } } },
    );
    expect(textsOf(reminderMessage(view).blocks)).toEqual([
      ":bell: <@U0ALICE>'s request `req_abc` for *prod-db* (30m) has waited for 10m and needs 1 more approval.\n" +
        'It can be decided by <@U0BOB>, <!subteam^S0SRE>.\nUse Approve or Deny on the message above.',
    ]);
    expect(reminderMessage(view).text).toBe('Reminder: request req_abc for prod-db is waiting for approval');
  });

  it('adds the escalation approvers once the request is escalated', () => {
    const view = requestView({ id: 'req_abc', escalated: true }, { access });
    expect(textsOf(reminderMessage(view).blocks)[0]).toContain('Escalated: it can now be decided by <@U0LEAD>, <@U0BOSS>, <!subteam^S0SRE>, <!subteam^S0ONCALL>.');
  });
});
