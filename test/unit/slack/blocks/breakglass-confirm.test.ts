import type { ActionsBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import type { BreakglassPlan } from '../../../../src/service/use-cases/breakglass/breakglass.js';
import { breakglassConfirm, breakglassGranted } from '../../../../src/slack/blocks/breakglass-confirm.js';
import { accessRequest } from '../../../support/builders.js';
import { allText, HOSTILE, textsOf, unescapedControls } from '../../../support/slack-builders.js';

const HOUR = 3_600_000;

function plan(overrides: Partial<BreakglassPlan> = {}): BreakglassPlan {
  return {
    target: 'prod-db',
    workflow: 'production',
    durationMs: HOUR,
    reason: 'primary down',
    notifyChannel: 'C0SECURITY',
    reviewWithinMs: 24 * HOUR,
    requiresIncident: false,
    ...overrides,
  };
}

describe('breakglassConfirm', () => {
  const VALUE = '{"target":"prod-db","reason":"primary down"}';

  it('says what will happen before anything is granted', () => {
    const message = breakglassConfirm(plan(), VALUE);
    expect(textsOf(message.blocks).slice(0, 3)).toEqual([
      ':rotating_light: *Breakglass access to prod-db for 1h*',
      '• Access is granted at once, without approval.\n' +
        '• <#C0SECURITY> is alerted now.\n' +
        '• The approvers must review it within 1d.\n' +
        '• Use it only in an emergency; otherwise ask with `/jump request prod-db`.',
      '*Reason*\nprimary down',
    ]);
    expect(message.text).toBe('Breakglass access to prod-db for 1h: confirm or cancel');
  });

  it('says it needs an incident when the workflow requires one', () => {
    const lines = textsOf(breakglassConfirm(plan({ requiresIncident: true }), VALUE).blocks)[1]!.split('\n');
    expect(lines.at(-1)).toBe('• Only granted if PagerDuty shows you on call during an active incident.');
  });

  it('offers Confirm (carrying the value it was given) and Cancel', () => {
    const actions = breakglassConfirm(plan(), VALUE).blocks.find(
      (block): block is ActionsBlock => block.type === 'actions',
    );
    expect(actions?.elements).toEqual([
      {
        type: 'button',
        action_id: 'jump_breakglass_confirm',
        text: { type: 'plain_text', text: 'Confirm breakglass', emoji: true },
        style: 'danger',
        value: VALUE,
      },
      {
        type: 'button',
        action_id: 'jump_breakglass_cancel',
        text: { type: 'plain_text', text: 'Cancel', emoji: true },
        value: 'cancel',
      },
    ]);
  });

  it('escapes the reason and the target', () => {
    const message = breakglassConfirm(plan({ reason: HOSTILE, target: '<!channel>' }), VALUE);
    expect(unescapedControls(allText(message))).toEqual([]);
  });
});

describe('breakglassGranted', () => {
  it('says it is granted, that the certificate comes by DM and who was alerted', () => {
    const message = breakglassGranted(
      accessRequest({ id: 'req_abc', kind: 'breakglass', status: 'active' }),
      'C0SECURITY',
    );
    expect(textsOf(message.blocks)).toEqual([
      ':rotating_light: Breakglass granted: `req_abc` — your certificate comes by DM; <#C0SECURITY> was alerted.',
    ]);
    expect(message.text).toBe(
      'Breakglass granted: `req_abc` — your certificate comes by DM; <#C0SECURITY> was alerted.',
    );
  });

  it('names the security channel generically when it is not known', () => {
    expect(breakglassGranted(accessRequest({ id: 'req_abc', kind: 'breakglass', status: 'approved' })).text).toBe(
      'Breakglass granted: `req_abc` — your certificate comes by DM; the security channel was alerted.',
    );
  });

  it('says it could not be granted and why, escaped', () => {
    const request = accessRequest({
      id: 'req_abc',
      kind: 'breakglass',
      status: 'failed',
      failure: { code: 'broker_rejected', message: 'the broker refused <!channel>' },
    });
    expect(textsOf(breakglassGranted(request, 'C0SECURITY').blocks)).toEqual([
      ':x: Breakglass `req_abc` could not be granted: the broker refused &lt;!channel&gt;. Nothing was granted; <#C0SECURITY> was alerted.',
    ]);
  });
});
