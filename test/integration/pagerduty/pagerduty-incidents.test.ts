import { afterEach, describe, expect, it } from 'vitest';
import { isJumpgateError, type JumpgateError } from '../../../src/domain/errors.js';
import {
  createPagerDutyIncidents,
  type PagerDutyIncidentsOptions,
} from '../../../src/pagerduty/pagerduty-incidents.js';
import type { Logger } from '../../../src/service/ports/logger.js';
import {
  type FakeIncident,
  type FakePagerDuty,
  type FakePagerDutyOptions,
  startFakePagerDuty,
} from '../../support/fake-pagerduty.js';

const TIMEOUT_MS = 200;

let fake: FakePagerDuty | undefined;
let time = 1_700_000_000_000;

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** A fake PagerDuty and a client of it on a clock the test moves. */
async function setUp(fakeOptions: FakePagerDutyOptions = {}, clientOptions: Partial<PagerDutyIncidentsOptions> = {}) {
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

function incident(id: string, overrides: Partial<FakeIncident> = {}): FakeIncident {
  return {
    id,
    number: Number(id.replace(/\D/g, '')) || 1,
    title: `Database down ${id}`,
    status: 'triggered',
    serviceId: 'PSVC1',
    assigneeIds: ['PUSER1'],
    ...overrides,
  };
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

describe('userByEmail', () => {
  it('takes the user whose email is exactly the one asked, whatever its case, across pages', async () => {
    // PagerDuty's query matches partially: joann@ comes back for ann@ and must not be taken.
    const { fake, incidents } = await setUp({
      pageSize: 1,
      users: [
        { id: 'PJOANN', email: 'joann@example.com', name: 'Jo Ann' },
        { id: 'PANN', email: 'Ann@Example.com', name: 'Ann' },
      ],
    });

    const user = await incidents.userByEmail('ann@example.COM');

    expect(user).toEqual({ id: 'PANN', email: 'Ann@Example.com', name: 'Ann' });
    expect(fake.requests('/users').map((request) => request.query)).toEqual([
      { query: ['ann@example.COM'], limit: ['100'], offset: ['0'] },
      { query: ['ann@example.COM'], limit: ['100'], offset: ['1'] },
    ]);
  });

  it('is undefined when PagerDuty only has partial matches', async () => {
    const { incidents } = await setUp({ users: [{ id: 'PJOANN', email: 'joann@example.com', name: 'Jo Ann' }] });

    expect(await incidents.userByEmail('ann@example.com')).toBeUndefined();
  });

  it('sends the PagerDuty v2 Accept header and the token as Token token=', async () => {
    const { fake, incidents } = await setUp();

    await incidents.userByEmail('ann@example.com');

    const [request] = fake.requests('/users');
    expect(request?.headers.accept).toBe('application/vnd.pagerduty+json;version=2');
    expect(request?.headers.authorization).toBe(`Token token=${fake.token}`);
  });
});

describe('onCalls', () => {
  it('maps every on-call of the user for the policies asked, following the pages', async () => {
    const { fake, incidents } = await setUp({
      pageSize: 2,
      onCalls: [
        { userId: 'PUSER1', escalationPolicyId: 'PEP1', level: 1, scheduleId: 'PSCHED1' },
        { userId: 'PUSER1', escalationPolicyId: 'PEP1', level: 2 },
        { userId: 'PUSER2', escalationPolicyId: 'PEP1', level: 1 },
        { userId: 'PUSER1', escalationPolicyId: 'PEP2', level: 3 },
        { userId: 'PUSER1', escalationPolicyId: 'PEP9', level: 1 },
        { userId: 'PUSER1', escalationPolicyId: 'PEP2', level: 1, scheduleId: 'PSCHED2' },
        { userId: 'PUSER1', escalationPolicyId: 'PEP1', level: 4 },
      ],
    });

    const onCalls = await incidents.onCalls('PUSER1', ['PEP2', 'PEP1']);

    expect(onCalls).toEqual([
      { escalationPolicyId: 'PEP1', level: 1, userId: 'PUSER1' },
      { escalationPolicyId: 'PEP1', level: 2, userId: 'PUSER1' },
      { escalationPolicyId: 'PEP2', level: 3, userId: 'PUSER1' },
      { escalationPolicyId: 'PEP2', level: 1, userId: 'PUSER1' },
      { escalationPolicyId: 'PEP1', level: 4, userId: 'PUSER1' },
    ]);
    const requests = fake.requests('/oncalls');
    expect(requests.map((request) => request.query.offset)).toEqual([['0'], ['2'], ['4']]);
    expect(requests[0]?.query['user_ids[]']).toEqual(['PUSER1']);
    expect(requests[0]?.query['escalation_policy_ids[]']).toEqual(['PEP1', 'PEP2']);
  });

  it('asks PagerDuty nothing and answers none when no escalation policy is given', async () => {
    const { fake, incidents } = await setUp({ onCalls: [{ userId: 'PUSER1', escalationPolicyId: 'PEP1', level: 1 }] });

    expect(await incidents.onCalls('PUSER1', [])).toEqual([]);
    expect(fake.requests()).toEqual([]);
  });

  it('stops at 20 pages and warns that the rest was not read', async () => {
    const warnings: object[] = [];
    const logger: Logger = {
      debug() {},
      info() {},
      warn: (object) => void warnings.push(object),
      error() {},
      child: () => logger,
    };
    const onCalls = Array.from({ length: 25 }, (_, level) => ({
      userId: 'PUSER1',
      escalationPolicyId: 'PEP1',
      level: level + 1,
    }));
    const { fake, incidents } = await setUp({ pageSize: 1, onCalls }, { logger });

    const read = await incidents.onCalls('PUSER1', ['PEP1']);

    expect(read).toHaveLength(20);
    expect(fake.requests('/oncalls')).toHaveLength(20);
    expect(warnings).toEqual([{ path: '/oncalls', pages: 20, read: 20 }]);
  });
});

describe('activeIncidents', () => {
  it('maps the triggered and acknowledged incidents of the services asked, following the pages', async () => {
    const { fake, incidents } = await setUp({
      pageSize: 1,
      incidents: [
        incident('PINC1', { number: 41, assigneeIds: ['PUSER1', 'PUSER2'] }),
        incident('PINC2', { number: 42, status: 'resolved' }),
        incident('PINC3', { number: 43, status: 'acknowledged', serviceId: 'PSVC2', assigneeIds: [] }),
        incident('PINC4', { number: 44, serviceId: 'PSVC9' }),
      ],
    });

    const active = await incidents.activeIncidents(['PSVC1', 'PSVC2']);

    expect(active).toEqual([
      {
        id: 'PINC1',
        number: 41,
        title: 'Database down PINC1',
        status: 'triggered',
        serviceId: 'PSVC1',
        url: 'https://jumpgate-test.pagerduty.com/incidents/PINC1',
        assigneeIds: ['PUSER1', 'PUSER2'],
      },
      {
        id: 'PINC3',
        number: 43,
        title: 'Database down PINC3',
        status: 'acknowledged',
        serviceId: 'PSVC2',
        url: 'https://jumpgate-test.pagerduty.com/incidents/PINC3',
        assigneeIds: [],
      },
    ]);
    const requests = fake.requests('/incidents');
    expect(requests).toHaveLength(2);
    expect(requests[0]?.query).toMatchObject({
      'service_ids[]': ['PSVC1', 'PSVC2'],
      'statuses[]': ['triggered', 'acknowledged'],
      date_range: ['all'],
    });
  });
});

describe('incident', () => {
  it('maps one incident, and is undefined for an incident PagerDuty does not have', async () => {
    const { incidents } = await setUp({
      incidents: [incident('PINC7', { number: 7, status: 'acknowledged', assigneeIds: ['PUSER3'] })],
    });

    expect(await incidents.incident('PINC7')).toEqual({
      id: 'PINC7',
      number: 7,
      title: 'Database down PINC7',
      status: 'acknowledged',
      serviceId: 'PSVC1',
      url: 'https://jumpgate-test.pagerduty.com/incidents/PINC7',
      assigneeIds: ['PUSER3'],
    });
    expect(await incidents.incident('PNOPE')).toBeUndefined();
  });

  it('notices a resolution once its short cache (5 s) has passed, not before', async () => {
    const { fake, incidents } = await setUp({ incidents: [incident('PINC1')] });
    await incidents.incident('PINC1');
    fake.resolve('PINC1');

    time += 4_000;
    expect((await incidents.incident('PINC1'))?.status).toBe('triggered');
    time += 1_000;
    expect(await incidents.incident('PINC1')).toMatchObject({ status: 'resolved', assigneeIds: [] });
    expect(fake.requests('/incidents/PINC1')).toHaveLength(2);
  });
});

describe('addNote', () => {
  it('writes the note as the configured From user', async () => {
    const { fake, incidents } = await setUp({ incidents: [incident('PINC1')] }, { from: 'jumpgate@example.com' });

    await incidents.addNote('PINC1', 'Jumpgate granted ann 30m on prod-db for this incident');
    await incidents.addNote('PINC1', 'Access ended');

    expect(fake.notes('PINC1').map(({ content, from }) => ({ content, from }))).toEqual([
      { content: 'Jumpgate granted ann 30m on prod-db for this incident', from: 'jumpgate@example.com' },
      { content: 'Access ended', from: 'jumpgate@example.com' },
    ]);
    const [request] = fake.requests('/incidents/PINC1/notes');
    expect(request?.method).toBe('POST');
    expect(request?.body).toEqual({ note: { content: 'Jumpgate granted ann 30m on prod-db for this incident' } });
  });

  it('refuses without asking PagerDuty when no From is configured', async () => {
    const { fake, incidents } = await setUp({ incidents: [incident('PINC1')] });

    const error = await failureOf(incidents.addNote('PINC1', 'hello'));

    expect(error.message).toBe('PAGERDUTY_FROM is not set: PagerDuty needs the email of a user as From to write notes');
    expect(fake.requests()).toEqual([]);
  });

  it("is incidents_unavailable with PagerDuty's words when the incident does not exist", async () => {
    const { incidents } = await setUp({}, { from: 'jumpgate@example.com' });

    const error = await failureOf(incidents.addNote('PNOPE', 'hello'));

    expect(error.message).toBe('PagerDuty refused the request (404): Not Found');
  });
});
