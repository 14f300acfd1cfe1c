import type { NoticeTimers } from '../../../../src/slack/outage-notice.js';
import { createSlackApp, type SlackApp } from '../../../../src/slack/slack-app.js';
import type { SlackUseCases } from '../../../../src/slack/use-cases.js';
import { type FakeSlack, startFakeSlack } from '../../../support/fake-slack.js';
import { memoryLogger } from '../../../support/service-fakes.js';
import { blockActionPayload, slashCommandBody } from '../../../support/slack-signing.js';

const TOKEN = 'xoxb-0000-1111-listenertest';

/** A use case a test did not expect to be called: the test fails through the "something went wrong" reply. */
function unused(name: string) {
  return () => Promise.reject(new Error(`${name} was not expected to be called`));
}

/** Every use case refusing to run, so each test names exactly the ones it expects. */
function useCases(overrides: Partial<SlackUseCases>): SlackUseCases {
  return {
    registerKey: unused('registerKey'),
    requestAccess: unused('requestAccess'),
    approveRequest: unused('approveRequest'),
    denyRequest: unused('denyRequest'),
    cancelRequest: unused('cancelRequest'),
    retryGrant: unused('retryGrant'),
    revokeGrant: unused('revokeGrant'),
    extendGrant: unused('extendGrant'),
    approveExtension: unused('approveExtension'),
    denyExtension: unused('denyExtension'),
    listMine: unused('listMine'),
    listTargets: unused('listTargets'),
    checkBreakglass: unused('checkBreakglass'),
    breakglass: unused('breakglass'),
    reviewBreakglass: unused('reviewBreakglass'),
    checkVendorSession: unused('checkVendorSession'),
    checkVendorDetails: unused('checkVendorDetails'),
    requestVendorSession: unused('requestVendorSession'),
    offboardPerson: unused('offboardPerson'),
    ...overrides,
  };
}

export interface ListenerHarness {
  readonly slack: FakeSlack;
  /** `/jump <text>` as `userId`; resolves with the JSON posted to its response_url. */
  command(userId: string, text: string): Promise<Record<string, unknown>>;
  /** A button click; resolves with the JSON posted to its response_url. */
  click(userId: string, actionId: string, value: string): Promise<Record<string, unknown>>;
  /** Any payload, as the receiver hands it over (`ack` records the answer); resolves when the listener is done. */
  process(body: Record<string, unknown>, ack?: (response?: unknown) => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

/**
 * The real Bolt app of src/slack/slack-app.ts, with its listeners, fed payloads of Slack's
 * shapes through `processEvent` (what the receiver does after checking the signature), talking
 * to a fake Slack for the Web API and for response URLs. The use cases are fakes.
 */
export async function startListeners(
  overrides: Partial<SlackUseCases>,
  outage: { storeAvailable?: () => boolean; timers?: NoticeTimers } = {},
): Promise<ListenerHarness> {
  const slack = await startFakeSlack({ token: TOKEN });
  const bot: SlackApp = await createSlackApp({
    connection: { kind: 'http', botToken: TOKEN, signingSecret: 'unused-in-these-tests' },
    apiUrl: slack.url,
    useCases: useCases(overrides),
    logger: memoryLogger(),
    ...outage,
  });
  let responses = 0;

  async function deliver(body: Record<string, unknown>, responseId: string): Promise<Record<string, unknown>> {
    await bot.app.processEvent({ body, ack: () => Promise.resolve() });
    return (await slack.waitForResponse(responseId, undefined, 5_000)).body;
  }

  return {
    slack,
    async command(userId, text) {
      responses += 1;
      const id = `cmd-${responses}`;
      const form = new URLSearchParams(slashCommandBody({ text, userId, responseUrl: slack.responseUrl(id) }));
      return deliver(Object.fromEntries(form), id);
    },
    async click(userId, actionId, value) {
      responses += 1;
      const id = `click-${responses}`;
      const payload = blockActionPayload({ userId, actionId, value, responseUrl: slack.responseUrl(id) });
      return deliver(JSON.parse(JSON.stringify(payload)) as Record<string, unknown>, id);
    },
    process: (body, ack = () => Promise.resolve()) => bot.app.processEvent({ body, ack }),
    async close() {
      await bot.stop();
      await slack.close();
    },
  };
}
