import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessRequest } from '../../../../src/domain/access-request.js';
import { JumpgateError } from '../../../../src/domain/errors.js';
import { accessRequest } from '../../../support/builders.js';
import { type ListenerHarness, startListeners } from './listener-harness.js';

/** The Retry button (jump_retry_grant): its value checked at the edge, who clicked from the payload. */
const calls: { requestId: string; userId: string }[] = [];
let outcome: () => Promise<AccessRequest>;
let h: ListenerHarness;

beforeAll(async () => {
  h = await startListeners({
    retryGrant: (input) => {
      calls.push(input);
      return outcome();
    },
  });
});
afterAll(() => h.close());

describe('the Retry button', () => {
  it('retries the request it carries as the person who clicked, and says what became of it', async () => {
    outcome = async () => accessRequest({ id: 'req_abcd1234', status: 'active', target: 'prod-db' });
    const reply = await h.click('U0ALICE', 'jump_retry_grant', 'req_abcd1234');
    expect(calls.at(-1)).toEqual({ requestId: 'req_abcd1234', userId: 'U0ALICE' });
    expect(reply).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(reply.text).toBe(
      "You retried req_abcd1234: access to prod-db is granted (the certificate is in the requester's DM).",
    );

    outcome = async () => accessRequest({ id: 'req_abcd1234', status: 'approved', target: 'prod-db' });
    expect((await h.click('U0LEAD', 'jump_retry_grant', 'req_abcd1234')).text).toBe(
      'You retried req_abcd1234: the access broker is still not answering; access is granted as soon as it does.',
    );
  });

  it('answers a refusal with its reason', async () => {
    outcome = () =>
      Promise.reject(
        new JumpgateError(
          'approvals_stale',
          'the approvals of this request are too old to grant it without asking again; request access again',
        ),
      );
    expect((await h.click('U0ALICE', 'jump_retry_grant', 'req_abcd1234')).text).toBe(
      ':warning: The approvals of this request are too old to grant it without asking again; request access again',
    );
  });

  it('refuses a value this version did not write, without calling the use case', async () => {
    const before = calls.length;
    expect((await h.click('U0ALICE', 'jump_retry_grant', 'req_../../x')).text).toBe(
      ':warning: This Retry button cannot be read any more: request access again',
    );
    expect(calls).toHaveLength(before);
  });
});
