import { afterEach, describe, expect, it } from 'vitest';
import { isJumpgateError, type JumpgateError } from '../../../src/domain/errors.js';
import {
  createPagerDutyIncidents,
  type PagerDutyIncidentsOptions,
} from '../../../src/pagerduty/pagerduty-incidents.js';
import { type FakePagerDuty, type FakePagerDutyOptions, startFakePagerDuty } from '../../support/fake-pagerduty.js';

/**
 * What the Incidents port does when PagerDuty fails: every failure is `incidents_unavailable`
 * with a message a person understands, nothing is retried, and nothing failed is cached.
 */

const TIMEOUT_MS = 200;
const ON_CALL = { userId: 'PUSER1', escalationPolicyId: 'PEP1', level: 1 } as const;

let fake: FakePagerDuty | undefined;
let time = 1_700_000_000_000;

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function setUp(
  fakeOptions: FakePagerDutyOptions = { onCalls: [ON_CALL] },
  clientOptions: Partial<PagerDutyIncidentsOptions> = {},
) {
  fake = await startFakePagerDuty(fakeOptions);
  const incidents = createPagerDutyIncidents({
    token: fake.token,
    apiUrl: fake.url,
    timeoutMs: TIMEOUT_MS,
    now: () => time,
    ...clientOptions,
  });
  return { fake, incidents };
}

async function failureOf(call: Promise<unknown>): Promise<JumpgateError> {
  const error = await call.then(
    () => undefined,
    (rejected: unknown) => rejected,
  );
  if (!isJumpgateError(error, 'incidents_unavailable'))
    throw new Error(`expected incidents_unavailable, got ${String(error)}`);
  return error;
}

describe('PagerDuty failures', () => {
  it('a refused token (401) is incidents_unavailable', async () => {
    const { incidents } = await setUp(undefined, { token: 'not-the-token' });

    const error = await failureOf(incidents.onCalls('PUSER1', ['PEP1']));

    expect(error.message).toBe('PagerDuty refused the token (401)');
    expect(error.details).toMatchObject({
      request: 'GET /oncalls',
      status: 401,
      pagerDutySaid: 'Authentication failed',
    });
  });

  it('a token without the right (403) is incidents_unavailable', async () => {
    const { fake, incidents } = await setUp();
    fake.failNext('/oncalls', { status: 403 });

    expect((await failureOf(incidents.onCalls('PUSER1', ['PEP1']))).message).toBe(
      'PagerDuty does not allow this token to do that (403): Access Denied',
    );
  });

  it('rate limiting (429) is incidents_unavailable at once, without a retry', async () => {
    const { fake, incidents } = await setUp();
    fake.failNext('/oncalls', { status: 429 });
    const started = Date.now();

    const error = await failureOf(incidents.onCalls('PUSER1', ['PEP1']));

    expect(error.message).toBe('PagerDuty is rate limiting us (429)');
    expect(fake.requests('/oncalls')).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS);
  });

  it('a server error (500) is incidents_unavailable, without a retry', async () => {
    const { fake, incidents } = await setUp();
    fake.failNext('/oncalls', { status: 500 });

    const error = await failureOf(incidents.onCalls('PUSER1', ['PEP1']));

    expect(error.message).toBe('PagerDuty failed with a server error (500)');
    expect(fake.requests('/oncalls')).toHaveLength(1);
  });

  it('tells onApiError of each failed request by method and path, ids as :id', async () => {
    const failed: string[] = [];
    const { fake, incidents } = await setUp(undefined, { onApiError: (method) => failed.push(method) });
    fake.failNext('/oncalls', { status: 500 });
    await failureOf(incidents.onCalls('PUSER1', ['PEP1']));
    fake.failNext('/incidents/PINC123', { status: 503 });
    await failureOf(incidents.incident('PINC123'));
    await incidents.onCalls('PUSER1', ['PEP1']);

    expect(failed).toEqual(['GET /oncalls', 'GET /incidents/:id']);
  });

  it('a gateway answering HTML (502) is incidents_unavailable with its status', async () => {
    const { fake, incidents } = await setUp();
    fake.failNext('/incidents', { status: 502, body: '<html><body>Bad Gateway</body></html>' });

    expect((await failureOf(incidents.activeIncidents(['PSVC1']))).message).toBe(
      'PagerDuty failed with a server error (502)',
    );
  });

  it('no answer within the timeout is incidents_unavailable, after the timeout and not much later', async () => {
    const { fake, incidents } = await setUp();
    fake.failNext('/oncalls', { delayMs: 2_000 });
    const started = Date.now();

    const error = await failureOf(incidents.onCalls('PUSER1', ['PEP1']));

    expect(error.message).toBe(`PagerDuty did not answer within ${TIMEOUT_MS} ms`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS - 10);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('the timeout bounds the whole call, every page included', async () => {
    const onCalls = [ON_CALL, { ...ON_CALL, level: 2 }, { ...ON_CALL, level: 3 }];
    const { fake, incidents } = await setUp({ pageSize: 1, onCalls });
    fake.failAlways('/oncalls', { delayMs: 120 });

    const error = await failureOf(incidents.onCalls('PUSER1', ['PEP1']));

    expect(error.message).toBe(`PagerDuty did not answer within ${TIMEOUT_MS} ms`);
    expect(fake.requests('/oncalls')).toHaveLength(2);
  });

  it('an unreachable PagerDuty is incidents_unavailable', async () => {
    const { fake, incidents } = await setUp();
    await fake.close();

    const error = await failureOf(incidents.onCalls('PUSER1', ['PEP1']));

    expect(error.message).toMatch(/^PagerDuty could not be reached \(connect ECONNREFUSED 127\.0\.0\.1:\d+\)$/);
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('an answer without the expected fields is incidents_unavailable, never guessed at', async () => {
    const { fake, incidents } = await setUp();
    const withoutUser = {
      oncalls: [{ escalation_policy: { id: 'PEP1' }, escalation_level: 1 }],
      limit: 100,
      offset: 0,
      more: false,
      total: null,
    };
    fake.failNext('/oncalls', { status: 200, body: JSON.stringify(withoutUser) });

    const error = await failureOf(incidents.onCalls('PUSER1', ['PEP1']));

    expect(error.message).toMatch(
      /^PagerDuty sent an answer to GET \/oncalls that Jumpgate does not understand \(oncalls\.0\.user: /,
    );
    expect(error.details).toMatchObject({ malformed: true });
  });

  it('an answer that is not JSON is incidents_unavailable', async () => {
    const { fake, incidents } = await setUp();
    fake.failNext('/incidents/PINC1', { status: 200, body: 'OK' });

    expect((await failureOf(incidents.incident('PINC1'))).message).toBe(
      'PagerDuty sent an answer to GET /incidents/PINC1 that Jumpgate does not understand (HTTP 200 with a body that is not JSON)',
    );
  });
});

describe('the answer cache', () => {
  it('reuses an answer within its ttl and asks again after it', async () => {
    const { fake, incidents } = await setUp(undefined, { cacheTtlMs: 30_000 });

    await incidents.onCalls('PUSER1', ['PEP1']);
    time += 29_000;
    // The same question in another order is the same question.
    await incidents.onCalls('PUSER1', ['PEP1', 'PEP1']);
    expect(fake.requests('/oncalls')).toHaveLength(1);

    time += 1_000;
    expect(await incidents.onCalls('PUSER1', ['PEP1'])).toEqual([
      { escalationPolicyId: 'PEP1', level: 1, userId: 'PUSER1' },
    ]);
    expect(fake.requests('/oncalls')).toHaveLength(2);
  });

  it('keeps answers per question', async () => {
    const { fake, incidents } = await setUp({
      users: [
        { id: 'PANN', email: 'ann@example.com', name: 'Ann' },
        { id: 'PBOB', email: 'bob@example.com', name: 'Bob' },
      ],
    });

    expect((await incidents.userByEmail('ann@example.com'))?.id).toBe('PANN');
    expect((await incidents.userByEmail('bob@example.com'))?.id).toBe('PBOB');
    expect((await incidents.userByEmail('ANN@example.com'))?.id).toBe('PANN');
    expect(fake.requests('/users')).toHaveLength(2);
  });

  it('never keeps a failure: the next call asks PagerDuty again', async () => {
    const { fake, incidents } = await setUp();
    fake.failNext('/oncalls', { status: 500 });

    await failureOf(incidents.onCalls('PUSER1', ['PEP1']));
    expect(await incidents.onCalls('PUSER1', ['PEP1'])).toHaveLength(1);
    expect(fake.requests('/oncalls')).toHaveLength(2);
  });
});
