import { afterEach, describe, expect, it } from 'vitest';
import { type FakePagerDuty, startFakePagerDuty } from '../../support/fake-pagerduty.js';

/** The fake speaks PagerDuty's REST API v2 as other tests rely on: checked here over plain fetch. */

let fake: FakePagerDuty | undefined;

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function call(path: string, init: { method?: string; token?: string; from?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = {
    accept: 'application/vnd.pagerduty+json;version=2',
    'content-type': 'application/json',
  };
  if (init.token !== undefined) headers.authorization = `Token token=${init.token}`;
  if (init.from !== undefined) headers.from = init.from;
  const response = await fetch(`${fake!.url}${path}`, {
    method: init.method ?? 'GET',
    headers,
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('fake PagerDuty', () => {
  it("answers 401 with PagerDuty's error body without the right token", async () => {
    fake = await startFakePagerDuty({ token: 'right' });

    expect(await call('/users', { token: 'wrong' })).toEqual({
      status: 401,
      body: { error: { message: 'Authentication failed', code: 2006 } },
    });
    expect(await call('/users')).toMatchObject({ status: 401 });
  });

  it('pages with limit, offset and more, caps the page at pageSize, and counts only when total=true', async () => {
    fake = await startFakePagerDuty({
      pageSize: 2,
      onCalls: [1, 2, 3].map((level) => ({ userId: 'PUSER1', escalationPolicyId: 'PEP1', level })),
    });

    const first = await call('/oncalls?limit=100&total=true', { token: fake.token });
    const last = await call('/oncalls?limit=100&offset=2', { token: fake.token });

    expect(first.body).toMatchObject({ limit: 2, offset: 0, more: true, total: 3 });
    expect(first.body.oncalls).toHaveLength(2);
    expect(last.body).toMatchObject({ limit: 2, offset: 2, more: false, total: null });
    expect(last.body.oncalls).toMatchObject([
      { escalation_level: 3, user: { id: 'PUSER1', type: 'user_reference' }, schedule: null },
    ]);
  });

  it('filters incidents by service and status', async () => {
    fake = await startFakePagerDuty({
      incidents: [
        { id: 'PINC1', number: 1, title: 'a', status: 'triggered', serviceId: 'PSVC1' },
        { id: 'PINC2', number: 2, title: 'b', status: 'resolved', serviceId: 'PSVC1' },
        { id: 'PINC3', number: 3, title: 'c', status: 'acknowledged', serviceId: 'PSVC2' },
      ],
    });

    const { body } = await call('/incidents?service_ids[]=PSVC1&statuses[]=triggered&statuses[]=acknowledged', {
      token: fake.token,
    });

    expect((body.incidents as { id: string }[]).map((incident) => incident.id)).toEqual(['PINC1']);
  });

  it('refuses a note without From (400) and records one with it', async () => {
    fake = await startFakePagerDuty({
      incidents: [{ id: 'PINC1', number: 1, title: 'a', status: 'triggered', serviceId: 'PSVC1' }],
    });

    const without = await call('/incidents/PINC1/notes', {
      method: 'POST',
      token: fake.token,
      body: { note: { content: 'x' } },
    });
    const withFrom = await call('/incidents/PINC1/notes', {
      method: 'POST',
      token: fake.token,
      from: 'bot@example.com',
      body: { note: { content: 'x' } },
    });

    expect(without.status).toBe(400);
    expect(withFrom).toMatchObject({ status: 201, body: { note: { content: 'x' } } });
    expect(fake.notes('PINC1')).toMatchObject([{ content: 'x', from: 'bot@example.com' }]);
    expect(fake.notes('PINC1')[0]?.id).toBe((withFrom.body.note as { id: string }).id);
  });
});
