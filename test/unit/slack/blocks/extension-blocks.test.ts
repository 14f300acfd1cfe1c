import { describe, expect, it } from 'vitest';
import type { ExtendPolicy } from '../../../../src/domain/workflow.js';
import { approvalMessage } from '../../../../src/slack/blocks/approval-message.js';
import { extensionAskMessage } from '../../../../src/slack/blocks/extension-ask-message.js';
import { grantActions } from '../../../../src/slack/blocks/grant-actions.js';
import { noticeMessage } from '../../../../src/slack/blocks/notice-message.js';
import {
  allText,
  grant,
  HOSTILE,
  MINUTE,
  requestView,
  T0,
  unescapedControls,
} from '../../../support/slack-builders.js';

const HOUR = 60 * MINUTE;
const EXTEND: ExtendPolicy = {
  standard: { allowed: true, maxTotal: 4 * HOUR, autoWithin: HOUR },
  breakglass: { allowed: false, maxTotal: 0 },
  vendor: { allowed: false, maxTotal: 0 },
};
const activeGrant = { status: 'active' as const, grant: grant({ id: 'grant_abcd', serial: '4' }) };

function actionIds(blocks: readonly unknown[]): string[] {
  return (
    JSON.stringify(blocks)
      .match(/"action_id":"[a-z_0-9]+"/g)
      ?.map((m) => m.slice(13, -1)) ?? []
  );
}

describe('the expiry warning', () => {
  it('offers the Extend steps the workflow allows and I’m done', () => {
    const view = requestView(activeGrant, { extend: EXTEND });
    const message = noticeMessage({ type: 'expiring', view }, T0 + 26 * MINUTE);
    expect(actionIds(message.blocks)).toEqual(['jump_extend_1800000', 'jump_extend_3600000', 'jump_done']);
    expect(allText(message)).toContain('+30m');
    expect(allText(message)).toContain('+1h (ask)'); // 31m + 1h passes auto_within (1h)
    expect(allText(message)).toContain('/jump extend grant_abcd &lt;duration&gt;');
  });

  it('without extend rules, offers only I’m done and says to request again', () => {
    const message = noticeMessage({ type: 'expiring', view: requestView(activeGrant) }, T0 + 26 * MINUTE);
    expect(actionIds(message.blocks)).toEqual(['jump_done']);
    expect(allText(message)).toContain('/jump request prod-db');
  });
});

describe('the extended notice', () => {
  it('hands over the new certificate and names the revoked one', () => {
    const view = requestView(
      {
        ...activeGrant,
        grant: grant({ id: 'grant_abcd_2', notAfter: T0 + 61 * MINUTE }),
        extensions: [
          {
            window: 2,
            by: 'U0ALICE',
            at: T0 + 20 * MINUTE,
            addedMs: 30 * MINUTE,
            fromNotAfter: T0 + 31 * MINUTE,
            toNotAfter: T0 + 61 * MINUTE,
            previousGrantId: 'grant_abcd',
            how: 'approved',
            approvals: [{ userId: 'U0LEAD', at: T0 + 20 * MINUTE }],
          },
        ],
      },
      { extend: EXTEND },
    );
    const text = allText(
      noticeMessage({ type: 'extended', view, certificate: 'ssh-ed25519-cert-v01@openssh.com AAAA' }, T0),
    );
    expect(text).toContain('is extended (+30m, approved by <@U0LEAD>)');
    expect(text).toContain('`grant_abcd`');
    expect(text).toContain('ssh-ed25519-cert-v01@openssh.com AAAA');
    expect(text).toContain('Grant `grant_abcd_2`');
  });
});

describe('an extension waiting for the approvers', () => {
  const waiting = {
    ...activeGrant,
    approvals: [{ userId: 'U0LEAD', at: T0 }],
    reason: HOSTILE,
    extensionRequest: {
      window: 2,
      by: 'U0ALICE',
      at: T0 + 20 * MINUTE,
      addedMs: 2 * HOUR,
      approvalsRequired: 1,
      approvals: [],
    },
  };

  it('is marked on the approval message, with the original approvals and its own buttons', () => {
    const view = requestView(waiting, { extend: EXTEND });
    const message = approvalMessage(view, T0 + 20 * MINUTE);
    const text = allText(message);
    expect(text).toContain('*Extension asked* by <@U0ALICE>');
    expect(text).toContain('+2h of the running grant');
    expect(text).toContain('1 of 1: <@U0LEAD>');
    expect(actionIds(message.blocks)).toEqual(['jump_extension_approve', 'jump_extension_deny']);
    // The buttons name the request and the window the ask would make, so an older ask's button is refused.
    expect(JSON.stringify(message.blocks)).toContain(`"value":"${view.request.id} 2"`);
    expect(unescapedControls(text)).toEqual([]);
  });

  it('the thread post names who may decide and points at the message', () => {
    const text = allText(extensionAskMessage(requestView(waiting, { extend: EXTEND })));
    expect(text).toContain('<@U0ALICE> asks to extend their running access to *prod-db* by +2h');
    expect(text).toContain('<@U0LEAD> <!subteam^S0SRE>: approve or deny the extension on the message above.');
  });
});

describe('grantActions', () => {
  it('is nothing for a grant that is not active', () => {
    expect(grantActions(requestView({ status: 'expired', grant: grant() }).request, [])).toBeUndefined();
  });
});
