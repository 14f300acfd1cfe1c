import type { ActionsBlock, Button, KnownBlock } from '@slack/types';
import { afterEach, describe, expect, it } from 'vitest';
import type { AccessRequest } from '../../../../src/domain/access-request.js';
import { JumpgateError } from '../../../../src/domain/errors.js';
import type { BreakglassInput, BreakglassPlan } from '../../../../src/service/use-cases/breakglass/breakglass.js';
import { REASON_TOO_LONG } from '../../../../src/slack/listeners/command.js';
import { accessRequest } from '../../../support/builders.js';
import { workflow } from '../../../support/policy-builders.js';
import { textsOf } from '../../../support/slack-builders.js';
import { type ListenerHarness, startListeners } from './listener-harness.js';

const HOUR = 3_600_000;
const FLOW = workflow({ breakglass: { notifyChannel: 'C0SECURITY' } });

let harness: ListenerHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

function planFor(input: BreakglassInput): BreakglassPlan {
  return {
    target: input.target,
    workflow: 'production',
    durationMs: HOUR,
    reason: input.reason.trim(),
    notifyChannel: 'C0SECURITY',
    reviewWithinMs: 24 * HOUR,
    requiresIncident: false,
  };
}

function buttons(body: Record<string, unknown>): Button[] {
  const blocks = (body.blocks ?? []) as KnownBlock[];
  return blocks
    .filter((block): block is ActionsBlock => block.type === 'actions')
    .flatMap((block) => block.elements as Button[]);
}

describe('/jump breakglass', () => {
  it('checks the breakglass and answers with the confirmation, carrying the raw input on Confirm', async () => {
    const checked: unknown[] = [];
    harness = await startListeners({
      checkBreakglass: async (input) => {
        checked.push(input);
        return planFor(input);
      },
    });
    const reply = await harness.command('U0ALICE', 'breakglass prod-db 1h primary down &lt;!channel&gt; &amp; co');
    expect(checked).toEqual([
      { requester: 'U0ALICE', target: 'prod-db', duration: '1h', reason: 'primary down <!channel> & co' },
    ]);
    expect(reply).toMatchObject({
      response_type: 'ephemeral',
      replace_original: false,
      text: 'Breakglass access to prod-db for 1h: confirm or cancel',
    });
    const [confirm, cancel] = buttons(reply);
    expect(confirm!.action_id).toBe('jump_breakglass_confirm');
    const { confirmation, ...input } = JSON.parse(confirm!.value!) as { confirmation: string };
    expect(input).toEqual({ target: 'prod-db', duration: '1h', reason: 'primary down <!channel> & co' });
    expect(confirmation).toMatch(/^[a-f0-9]{24}$/);
    expect([cancel!.action_id, cancel!.value]).toEqual(['jump_breakglass_cancel', 'cancel']);
    expect(textsOf((reply.blocks ?? []) as KnownBlock[])).toContain('*Reason*\nprimary down &lt;!channel&gt; &amp; co');
  });

  it('gives every confirmation its own key, so only a second click on the same button is a repeat', async () => {
    harness = await startListeners({ checkBreakglass: async (input) => planFor(input) });
    const first = JSON.parse(
      buttons(await harness.command('U0ALICE', 'breakglass prod-db primary down'))[0]!.value!,
    ) as { confirmation: string };
    const second = JSON.parse(
      buttons(await harness.command('U0ALICE', 'breakglass prod-db primary down'))[0]!.value!,
    ) as { confirmation: string };
    expect(first.confirmation).not.toBe(second.confirmation);
  });

  it('leaves the duration out of the value when none was typed', async () => {
    harness = await startListeners({ checkBreakglass: async (input) => planFor(input) });
    const reply = await harness.command('U0ALICE', 'breakglass prod-db primary down');
    const { confirmation, ...input } = JSON.parse(buttons(reply)[0]!.value!) as { confirmation: string };
    expect(input).toEqual({ target: 'prod-db', reason: 'primary down' });
    expect(confirmation).toMatch(/^[a-f0-9]{24}$/);
  });

  it('refuses a reason too long to ride on the Confirm button', async () => {
    harness = await startListeners({ checkBreakglass: async (input) => planFor(input) });
    const reply = await harness.command('U0ALICE', `breakglass prod-db 1h ${'x'.repeat(1_990)}`);
    expect(reply).toMatchObject({ response_type: 'ephemeral', text: REASON_TOO_LONG });
    expect(reply.text).toContain('the reason is too long for breakglass (at most ~1900 characters)');
    expect(buttons(reply)).toEqual([]);
  });

  it('says why breakglass is refused', async () => {
    harness = await startListeners({
      checkBreakglass: () =>
        Promise.reject(
          new JumpgateError(
            'breakglass_not_allowed',
            'breakglass access is not allowed for prod-db; make a normal request and its approvers will be asked',
          ),
        ),
    });
    const reply = await harness.command('U0ALICE', 'breakglass prod-db primary down');
    expect(reply.text).toBe(
      ':warning: Breakglass access is not allowed for prod-db; make a normal request and its approvers will be asked',
    );
  });

  it('is listed in help', async () => {
    harness = await startListeners({});
    const reply = await harness.command('U0ALICE', 'help');
    expect(textsOf((reply.blocks ?? []) as KnownBlock[]).join('\n')).toContain(
      '`/jump breakglass &lt;target&gt; [&lt;duration&gt;] &lt;reason…&gt;`',
    );
  });
});

describe('Confirm breakglass', () => {
  const VALUE =
    '{"target":"prod-db","duration":"1h","reason":"primary down","confirmation":"0123456789abcdef01234567"}';

  it('takes the breakglass as the person who clicked and replaces the confirmation with the outcome', async () => {
    const taken: unknown[] = [];
    harness = await startListeners({
      breakglass: async (input) => {
        taken.push(input);
        return {
          request: accessRequest({ id: 'req_bg001', kind: 'breakglass', status: 'active' }),
          incidentCheck: { outcome: 'off' },
        };
      },
      listTargets: async () => [{ target: FLOW.targets[0]!, workflow: FLOW }],
    });
    const reply = await harness.click('U0ALICE', 'jump_breakglass_confirm', VALUE);
    expect(taken).toEqual([
      {
        requester: 'U0ALICE',
        target: 'prod-db',
        duration: '1h',
        reason: 'primary down',
        confirmation: '0123456789abcdef01234567',
      },
    ]);
    expect(reply).toMatchObject({
      replace_original: true,
      text: 'Breakglass granted: `req_bg001` — your certificate comes by DM; <#C0SECURITY> was alerted.',
    });
  });

  it('still answers when the security channel cannot be looked up', async () => {
    harness = await startListeners({
      breakglass: async () => ({
        request: accessRequest({ id: 'req_bg001', kind: 'breakglass', status: 'active' }),
        incidentCheck: { outcome: 'off' },
      }),
    });
    const reply = await harness.click('U0ALICE', 'jump_breakglass_confirm', VALUE);
    expect(reply.text).toBe(
      'Breakglass granted: `req_bg001` — your certificate comes by DM; the security channel was alerted.',
    );
  });

  it('answers a refusal ephemerally and keeps the confirmation', async () => {
    harness = await startListeners({
      breakglass: () =>
        Promise.reject(
          new JumpgateError(
            'incident_required',
            'breakglass on prod-db needs PagerDuty to show you on call during an active incident, and it does not: you are not on call for PESC123',
          ),
        ),
    });
    const reply = await harness.click('U0ALICE', 'jump_breakglass_confirm', VALUE);
    expect(reply).toMatchObject({
      response_type: 'ephemeral',
      replace_original: false,
      text: ':warning: Breakglass on prod-db needs PagerDuty to show you on call during an active incident, and it does not: you are not on call for PESC123',
    });
  });

  it.each(['not json', '{"target":"prod-db"}', '{"target":"prod-db","reason":"x","requester":"U0LEAD"}'])(
    'refuses a value it did not write (%s)',
    async (value) => {
      harness = await startListeners({});
      const reply = await harness.click('U0ALICE', 'jump_breakglass_confirm', value);
      expect(reply).toMatchObject({
        replace_original: false,
        text: ':warning: This breakglass button cannot be read any more: run /jump breakglass again',
      });
    },
  );

  it('Cancel replaces the confirmation and grants nothing', async () => {
    harness = await startListeners({});
    expect(await harness.click('U0ALICE', 'jump_breakglass_cancel', 'cancel')).toEqual({
      replace_original: true,
      text: 'Breakglass cancelled; nothing was granted.',
    });
  });
});

describe('breakglass review buttons', () => {
  function reviewed(outcome: 'ok' | 'flagged'): AccessRequest {
    return accessRequest({
      id: 'req_bg001',
      kind: 'breakglass',
      status: 'expired',
      review: { dueAt: 0, by: 'U0LEAD', at: 1, outcome },
    });
  }

  it.each([
    ['jump_review_ok', 'ok', 'Recorded: you reviewed req_bg001 as OK.'],
    ['jump_review_flag', 'flagged', 'Recorded: you flagged req_bg001; the security channel was told.'],
  ] as const)('%s records the review as the clicker and confirms it', async (actionId, outcome, text) => {
    const calls: unknown[] = [];
    harness = await startListeners({
      reviewBreakglass: async (input) => {
        calls.push(input);
        return reviewed(input.outcome);
      },
    });
    const reply = await harness.click('U0LEAD', actionId, 'req_bg001');
    expect(calls).toEqual([{ requestId: 'req_bg001', userId: 'U0LEAD', outcome }]);
    expect(reply).toEqual({ response_type: 'ephemeral', replace_original: false, text });
  });

  it('says why a review is refused', async () => {
    harness = await startListeners({
      reviewBreakglass: () =>
        Promise.reject(
          new JumpgateError('self_review', 'you cannot review your own breakglass; one of its approvers must'),
        ),
    });
    const reply = await harness.click('U0ALICE', 'jump_review_ok', 'req_bg001');
    expect(reply).toMatchObject({
      replace_original: false,
      text: ':warning: You cannot review your own breakglass; one of its approvers must',
    });
  });

  it('refuses a value that is not a request id, with a reference only', async () => {
    harness = await startListeners({});
    const reply = await harness.click('U0LEAD', 'jump_review_flag', '<!channel>');
    expect(reply.text).toMatch(/^:boom: Something went wrong on our side \(reference [0-9a-f]{8}\)/);
  });
});

describe('/jump request', () => {
  it('says why the request was not auto-approved', async () => {
    harness = await startListeners({
      requestAccess: async () => ({
        request: accessRequest({ id: 'req_abc', durationMs: 30 * 60_000 }),
        postedTo: 'C0APPROVALS',
        incidentCheck: { outcome: 'unavailable', reason: 'PagerDuty answered 503' },
      }),
    });
    const reply = await harness.command('U0ALICE', 'request prod-db 30m fix INC-42');
    expect(textsOf((reply.blocks ?? []) as KnownBlock[])).toEqual([
      ':outbox_tray: Request `req_abc` for prod-db (30m) sent to <#C0APPROVALS>; you will get a DM when it is decided.',
      ':warning: PagerDuty could not be asked (PagerDuty answered 503), so your request went to the approvers.',
      'Cancel request',
    ]);
  });
});
