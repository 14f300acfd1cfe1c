import { describe, expect, it } from 'vitest';
import { reminderMessage } from '../../../../src/slack/blocks/reminder-message.js';
import { grant, MINUTE, requestView, T0, textsOf } from '../../../support/slack-builders.js';

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
    expect(textsOf(reminderMessage(view).blocks)[0]).toContain(
      'Escalated: it can now be decided by <@U0LEAD>, <@U0BOSS>, <!subteam^S0SRE>, <!subteam^S0ONCALL>.',
    );
  });

  describe('for a breakglass whose review is overdue', () => {
    const DUE = '<!date^1800086400^{date_short_pretty} {time}|2027-01-16 08:00 UTC>';
    const overdue = (policy: Parameters<typeof requestView>[1] = {}) =>
      requestView(
        {
          id: 'req_abc',
          kind: 'breakglass',
          status: 'expired',
          grant: grant(),
          approvalsRequired: 0,
          review: { dueAt: T0 + 24 * 60 * MINUTE },
        },
        policy,
      );

    it('asks every approver, escalation approvers included, to review it by name', () => {
      const message = reminderMessage(overdue({ access }));
      expect(textsOf(message.blocks)).toEqual([
        `:warning: Review overdue: <@U0LEAD>, <@U0BOSS>, <!subteam^S0SRE>, <!subteam^S0ONCALL> please review this breakglass (due ${DUE}).`,
        'Use Reviewed: OK or Flag on the message above.',
      ]);
      expect(message.text).toBe('Review overdue: breakglass req_abc on prod-db needs its post-hoc review');
    });

    it('never asks the person who used it, who may not review it', () => {
      const view = overdue({ access: { approvers: { users: ['U0ALICE', 'U0LEAD'], groups: [] } } });
      expect(textsOf(reminderMessage(view).blocks)[0]).toBe(
        `:warning: Review overdue: <@U0LEAD> please review this breakglass (due ${DUE}).`,
      );
    });
  });
});
