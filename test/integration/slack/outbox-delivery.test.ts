import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MessageRef } from '../../../src/service/ports/notifier.js';
import type { RequestView } from '../../../src/service/support/request-view.js';
import { classify, createOutboxDelivery } from '../../../src/slack/outbox-delivery.js';
import { createOutboxNotifier, type QueuedMessage } from '../../../src/slack/outbox-messages.js';
import { createOutboxSlackClient } from '../../../src/slack/slack-client.js';
import { createSlackNotifier } from '../../../src/slack/slack-notifier.js';
import { type FakeSlack, startFakeSlack } from '../../support/fake-slack.js';
import { memoryLogger } from '../../support/service-fakes.js';
import { grant, requestView, T0 } from '../../support/slack-builders.js';

/**
 * The Slack side of the outbox: what the notifier queues, how the delivery renders and sends it
 * with the outbox's client (no retries of its own), and how Slack's real answers are classified.
 */
const TOKEN = 'xoxb-0000-1111-outboxdelivery';
let fake: FakeSlack;
let views: Map<string, RequestView>;
let queued: QueuedMessage[];

beforeAll(async () => {
  fake = await startFakeSlack({ token: TOKEN });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.reset();
  views = new Map();
  queued = [];
});

const notifier = () => createOutboxNotifier({ enqueue: async (m) => void queued.push(m), now: () => T0 });
const delivery = () =>
  createOutboxDelivery({
    sender: createSlackNotifier({
      client: createOutboxSlackClient(TOKEN, fake.url),
      now: () => T0,
      logger: memoryLogger(),
    }),
    view: async (id) => views.get(id),
    setMessage: async (id, ref: MessageRef) => {
      const view = views.get(id)!;
      views.set(id, { ...view, request: { ...view.request, message: ref } });
    },
  });
const failure = (run: Promise<unknown>) =>
  run.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => classify(error),
  );

describe('the outbox’s Slack side', () => {
  it('queues by what a message is, and renders a request’s messages from its state when sent', async () => {
    const pending = requestView({ id: 'req_abc' });
    views.set('req_abc', pending);
    const n = notifier();
    expect(await n.postApprovalMessage(pending)).toBeUndefined();
    await n.updateApprovalMessage(undefined, pending);
    await n.tell('U0ALICE', { type: 'granted', view: pending, certificate: 'ssh-ed25519-cert-v01@openssh.com AAAA' });
    expect(queued.map((m) => [m.id, m.conversation, m.once])).toEqual([
      ['post-req_abc', 'C0APPROVALS', false],
      ['update-req_abc', 'C0APPROVALS', false],
      ['dm-granted-req_abc-none', 'U0ALICE', true],
    ]);
    // A body says what the message is about, not its Block Kit.
    expect(queued[0]!.body.length).toBeLessThan(100);

    const d = delivery();
    await d.deliver(queued[0]!.body);
    const ref = views.get('req_abc')!.request.message;
    expect(ref?.channel).toBe('C0APPROVALS');
    // The state changed while the update waited: the update shows it.
    views.set('req_abc', {
      ...views.get('req_abc')!,
      request: { ...views.get('req_abc')!.request, status: 'active', grant: grant() },
    });
    await d.deliver(queued[1]!.body);
    const [update] = fake.calls('chat.update');
    expect(update!.args).toMatchObject({ channel: 'C0APPROVALS', ts: ref!.ts });
    await d.deliver(queued[2]!.body);
    expect(JSON.stringify(fake.calls('chat.postMessage').at(-1)!.args)).toContain('ssh-ed25519-cert-v01@openssh.com');
    // Posted already (the answer was taken before): the post is not made twice.
    await d.deliver(queued[0]!.body);
    expect(fake.calls('chat.postMessage')).toHaveLength(2);
  });

  it('has nothing to update when the approval message was never posted', async () => {
    views.set('req_nopost', requestView({ id: 'req_nopost' }));
    await notifier().updateApprovalMessage(undefined, views.get('req_nopost')!);
    await delivery().deliver(queued[0]!.body);
    expect(fake.calls()).toEqual([]);
  });

  it('classifies Slack’s answers: a 429 with its Retry-After, after one call; 500 and a bad token wait; channel_not_found gives up', async () => {
    views.set('req_x', requestView({ id: 'req_x' }));
    await notifier().postApprovalMessage(views.get('req_x')!);
    const d = delivery();
    fake.failNext('chat.postMessage', { status: 429, retryAfter: 7 });
    expect(await failure(d.deliver(queued[0]!.body))).toEqual({
      permanent: false,
      reason: 'ratelimited',
      retryAfterMs: 7_000,
    });
    expect(fake.calls('chat.postMessage')).toHaveLength(1); // the client did not sleep and retry by itself
    fake.failNext('chat.postMessage', { status: 500 });
    expect(await failure(d.deliver(queued[0]!.body))).toEqual({ permanent: false, reason: 'http_500' });
    expect(fake.calls('chat.postMessage')).toHaveLength(2);
    fake.failNext('chat.postMessage', { error: 'invalid_auth' });
    expect(await failure(d.deliver(queued[0]!.body))).toEqual({ permanent: false, reason: 'invalid_auth' });
    fake.failNext('chat.postMessage', { error: 'channel_not_found' });
    expect(await failure(d.deliver(queued[0]!.body))).toEqual({ permanent: true, reason: 'channel_not_found' });
    // A request that is gone cannot be rendered: that does not get better either.
    views.clear();
    expect(await failure(d.deliver(queued[0]!.body))).toEqual({ permanent: true, reason: 'not_found' });
  });
});
