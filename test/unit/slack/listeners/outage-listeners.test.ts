import { afterEach, describe, expect, it } from 'vitest';
import type { AccessRequest } from '../../../../src/domain/access-request.js';
import { JumpgateError } from '../../../../src/domain/errors.js';
import { ACTION_IDS, REQUEST_FIELDS, VENDOR_FIELDS } from '../../../../src/slack/action-ids.js';
import { vendorMetadata } from '../../../../src/slack/listeners/button-values.js';
import { FORM_CHECK_MS } from '../../../../src/slack/listeners/vendor-modal.js';
import { type NoticeTimers, OUTAGE_NOTICE, OUTAGE_RETRY_NOTICE } from '../../../../src/slack/outage-notice.js';
import {
  plainTextValue,
  selectValue,
  slashCommandBody,
  viewSubmissionPayload,
} from '../../../support/slack-signing.js';
import { type ListenerHarness, startListeners } from './listener-harness.js';

let harness: ListenerHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** The notice's timers, fired by the test: Slack's 2.5 s are not waited for. */
function manualTimers() {
  const pending = new Set<() => void>();
  const timers: NoticeTimers = {
    set: (run) => (pending.add(run), run),
    clear: (handle) => void pending.delete(handle as () => void),
  };
  return {
    timers,
    fire: () => {
      for (const run of [...pending]) {
        pending.delete(run);
        run();
      }
    },
  };
}

/** A use case held until `release`, as one waiting for Redis is. */
function held<T>() {
  let release!: (outcome: () => T) => void;
  let calls = 0;
  const done = new Promise<() => T>((resolve) => (release = resolve));
  return {
    call: async () => {
      calls += 1;
      return (await done)();
    },
    calls: () => calls,
    release,
  };
}

const json = (value: unknown) => JSON.parse(JSON.stringify(value)) as Record<string, unknown>;

describe('answers that wait for Redis', () => {
  it('a command gets one notice through its response_url, then its answer', async () => {
    const clock = manualTimers();
    const listMine = held<AccessRequest[]>();
    harness = await startListeners({ listMine: listMine.call }, { storeAvailable: () => false, timers: clock.timers });
    const h = harness;
    const form = new URLSearchParams(
      slashCommandBody({ text: 'list', userId: 'U0ALICE', responseUrl: h.slack.responseUrl('list') }),
    );
    const done = h.process(Object.fromEntries(form));
    await expect.poll(() => listMine.calls()).toBe(1);
    clock.fire();
    expect((await h.slack.waitForResponse('list')).body).toMatchObject({
      response_type: 'ephemeral',
      text: OUTAGE_NOTICE,
    });
    listMine.release(() => []);
    await done;
    clock.fire();
    const posts = h.slack.responses('list').map((p) => p.body.text);
    expect(posts).toHaveLength(2);
    expect(posts[0]).toBe(OUTAGE_NOTICE);
    expect(posts[1]).not.toBe(OUTAGE_NOTICE);
  });

  it('a command that opens a form is told to try again: the form cannot wait', async () => {
    const clock = manualTimers();
    const check = held<never>();
    harness = await startListeners(
      { checkVendorSession: check.call },
      { storeAvailable: () => false, timers: clock.timers },
    );
    const h = harness;
    const text = 'vendor ann@vendor.example prod-db 1h fix the replica';
    const form = new URLSearchParams(
      slashCommandBody({ text, userId: 'U0ALICE', responseUrl: h.slack.responseUrl('vendor') }),
    );
    const done = h.process(Object.fromEntries(form));
    await expect.poll(() => check.calls()).toBe(1);
    clock.fire();
    expect((await h.slack.waitForResponse('vendor')).body).toMatchObject({ text: OUTAGE_RETRY_NOTICE });
    check.release(() => {
      throw new JumpgateError('not_a_sponsor', 'you are not a sponsor of vendor sessions on prod-db');
    });
    await done;
  });

  it('a form submission (no response_url) gets the notice by DM, then its answer by DM', async () => {
    const clock = manualTimers();
    const requestAccess = held<never>();
    harness = await startListeners(
      { requestAccess: requestAccess.call },
      { storeAvailable: () => false, timers: clock.timers },
    );
    const h = harness;
    const acks: unknown[] = [];
    const payload = viewSubmissionPayload({
      userId: 'U0ALICE',
      callbackId: ACTION_IDS.requestModal,
      values: {
        [REQUEST_FIELDS.target.blockId]: { [REQUEST_FIELDS.target.actionId]: selectValue('prod-db') },
        [REQUEST_FIELDS.duration.blockId]: { [REQUEST_FIELDS.duration.actionId]: plainTextValue('30m') },
        [REQUEST_FIELDS.reason.blockId]: { [REQUEST_FIELDS.reason.actionId]: plainTextValue('deploy') },
      },
    });
    const done = h.process(json(payload), (response) => {
      acks.push(response ?? 'closed');
      return Promise.resolve();
    });
    await expect.poll(() => requestAccess.calls()).toBe(1);
    expect(acks).toEqual(['closed']);
    clock.fire();
    const notice = await h.slack.waitFor('chat.postMessage', (c) => c.args.text === OUTAGE_NOTICE);
    expect(notice.args.channel).toBe('U0ALICE');
    requestAccess.release(() => {
      throw new JumpgateError('unknown_target', 'there is no target prod-db');
    });
    await done;
    const dms = h.slack.calls('chat.postMessage').filter((c) => c.args.channel === 'U0ALICE');
    expect(dms).toHaveLength(2);
    expect(dms[1]?.args.text).not.toBe(OUTAGE_NOTICE);
  });

  it('the vendor form is acknowledged within Slack’s 3 s even when its checks wait for Redis, and the request answers by DM', async () => {
    const details = held<never>();
    const plan = held<never>();
    let requested = 0;
    harness = await startListeners({
      checkVendorDetails: details.call,
      checkVendorSession: plan.call,
      requestVendorSession: () => {
        requested += 1;
        return Promise.reject(
          new JumpgateError('not_a_sponsor', 'you are not a sponsor of vendor sessions on prod-db'),
        );
      },
    });
    const h = harness;
    const acked: number[] = [];
    const started = Date.now();
    const payload = viewSubmissionPayload({
      userId: 'U0ALICE',
      callbackId: ACTION_IDS.vendorModal,
      privateMetadata: vendorMetadata({
        vendorEmail: 'ann@vendor.example',
        target: 'prod-db',
        duration: '1h',
        reason: 'fix',
      }),
      values: {
        [VENDOR_FIELDS.name.blockId]: { [VENDOR_FIELDS.name.actionId]: plainTextValue('Ann') },
        [VENDOR_FIELDS.sshPublicKey.blockId]: {
          [VENDOR_FIELDS.sshPublicKey.actionId]: plainTextValue('ssh-ed25519 AAAA'),
        },
      },
    });
    // A real wait of FORM_CHECK_MS: the bound is the listener's own timer.
    await h.process(json(payload), (response) => {
      acked.push(Date.now() - started, response === undefined ? 0 : 1);
      return Promise.resolve();
    });
    expect(acked[1]).toBe(0);
    expect(acked[0]).toBeGreaterThanOrEqual(FORM_CHECK_MS - 50);
    expect(acked[0]).toBeLessThan(2_900);
    expect(requested).toBe(1);
    const dm = await h.slack.waitFor('chat.postMessage', (c) => c.args.channel === 'U0ALICE');
    expect(String(dm.args.text)).toContain('sponsor');
    details.release(() => {
      throw new Error('late');
    });
    plan.release(() => {
      throw new Error('late');
    });
  });
});
