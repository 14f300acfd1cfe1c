import { describe, expect, it } from 'vitest';
import { BrokerHttpError } from '../../../src/broker/server/http-error.js';
import { createGrantIssuer } from '../../../src/broker/server/issue-grant.js';
import { createMutex } from '../../../src/broker/server/mutex.js';
import { grantBody, memoryGrantStore, recordingCa } from '../../support/broker-fakes.js';

const NOW = Date.parse('2030-01-01T12:00:00.250Z');

function setup() {
  const store = memoryGrantStore();
  const ca = recordingCa();
  const issue = createGrantIssuer({ store, ca, mutex: createMutex(), now: () => NOW });
  return { issue, store, ca };
}

async function refusal(promise: Promise<unknown>): Promise<BrokerHttpError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof BrokerHttpError) return error;
    throw error;
  }
  throw new Error('the grant was issued');
}

describe('issuing a grant', () => {
  it('signs a certificate from 60 s ago to notAfter with the next serial and the principals as sent', async () => {
    const { issue, ca } = setup();
    const { created, grant } = await issue(grantBody());
    expect(created).toBe(true);
    expect(ca.requests).toEqual([
      {
        publicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA',
        keyId: 'g-1',
        principals: ['dbadmin'],
        serial: '1',
        validFromMs: Date.parse('2030-01-01T11:59:00Z'),
        validToMs: Date.parse('2030-01-01T12:30:00Z'),
        restricted: false,
        allowPty: false,
      },
    ]);
    expect(grant).toMatchObject({
      serial: '1',
      notBefore: '2030-01-01T11:59:00.000Z',
      notAfter: '2030-01-01T12:30:00.000Z',
    });
  });

  it('restricts vendor certificates, passing allowPty and source addresses through', async () => {
    const { issue, ca } = setup();
    await issue(
      grantBody({
        kind: 'vendor',
        options: { allowPty: true },
        target: { name: 'prod-db', hosts: ['db-1'], principals: ['vendor'], sourceAddress: ['203.0.113.0/24'] },
      }),
    );
    expect(ca.requests[0]).toMatchObject({
      restricted: true,
      allowPty: true,
      principals: ['vendor'],
      sourceAddress: ['203.0.113.0/24'],
    });
  });

  it('rounds a sub-second notAfter down, so the certificate never outlives the grant', async () => {
    const { issue, ca } = setup();
    const { grant } = await issue(grantBody({ notAfter: '2030-01-01T12:30:00.999Z' }));
    expect(ca.requests[0]!.validToMs).toBe(Date.parse('2030-01-01T12:30:00Z'));
    expect(grant.notAfter).toBe('2030-01-01T12:30:00.000Z');
  });

  it('returns the same grant for the same id and request, without signing again', async () => {
    const { issue, ca, store } = setup();
    const first = await issue(grantBody());
    const again = await issue(grantBody());
    expect(again).toEqual({ created: false, grant: first.grant });
    expect(ca.requests).toHaveLength(1);
    expect(store.serials).toEqual(['1']);
  });

  it('refuses the same id with another key, target or notAfter with 409 conflict', async () => {
    const { issue } = setup();
    await issue(grantBody());
    const message =
      'grant g-1 already exists for a different request (key, target, notAfter or kind differ); a new grant needs a new id';
    expect(await refusal(issue(grantBody({ notAfter: '2030-01-01T12:45:00Z' })))).toEqual(
      new BrokerHttpError(409, 'conflict', message),
    );
    expect((await refusal(issue(grantBody({ target: { name: 'other', hosts: [], principals: ['root'] } })))).code).toBe(
      'conflict',
    );
  });

  it('answers a retry whose name, email or reason changed, or whose notAfter is spelt otherwise, with the same grant', async () => {
    const { issue, ca } = setup();
    const first = await issue(
      grantBody({
        subject: {
          type: 'user',
          id: 'U1',
          name: 'Alice',
          email: 'a@x.io',
          sshPublicKey: grantBody().subject.sshPublicKey,
        },
      }),
    );
    const retried = await issue(
      grantBody({
        subject: {
          type: 'user',
          id: 'U1',
          name: 'Alice Liddell',
          email: 'alice@x.io',
          sshPublicKey: grantBody().subject.sshPublicKey,
        },
        reason: 'fix replication INC-42 (edited)',
        notAfter: '2030-01-01T12:30:00.000Z',
      }),
    );
    expect(retried).toEqual({ created: false, grant: first.grant });
    expect(ca.requests).toHaveLength(1);
  });

  it('still refuses the same id for another subject, sponsor, hosts, source addresses or PTY option', async () => {
    const { issue } = setup();
    await issue(grantBody());
    const key = grantBody().subject.sshPublicKey;
    const others = [
      grantBody({ subject: { type: 'user', id: 'U2', sshPublicKey: key } }),
      grantBody({ subject: { type: 'user', id: 'U1', sponsor: 'U9', sshPublicKey: key } }),
      grantBody({ target: { name: 'prod-db', hosts: ['db-2.internal'], principals: ['dbadmin'] } }),
      grantBody({
        target: { name: 'prod-db', hosts: ['db-1.internal'], principals: ['dbadmin'], sourceAddress: ['10.0.0.0/8'] },
      }),
      grantBody({ options: { allowPty: true } }),
      grantBody({ requestId: 'r-2' }),
    ];
    for (const body of others) expect((await refusal(issue(body))).code).toBe('conflict');
  });

  it('refuses a notAfter that is not in the future (410 grant_expired), or more than 7 days ahead, without using a serial', async () => {
    const { issue, store } = setup();
    expect(await refusal(issue(grantBody({ notAfter: '2030-01-01T12:00:00Z' })))).toEqual(
      new BrokerHttpError(
        410,
        'grant_expired',
        'notAfter 2030-01-01T12:00:00Z has passed: the broker does not issue a grant whose window is over (a new grant needs a new id and a future notAfter)',
      ),
    );
    expect(await refusal(issue(grantBody({ notAfter: '2030-01-08T12:00:01Z' })))).toEqual(
      new BrokerHttpError(
        400,
        'invalid_not_after',
        'notAfter 2030-01-08T12:00:01Z is more than 7 days ahead; grants are at most 7 days long',
      ),
    );
    await expect(issue(grantBody({ notAfter: '2030-01-08T12:00:00Z' }))).resolves.toMatchObject({ created: true });
    expect(store.serials).toEqual(['1']);
  });

  it('issues two different grants arriving together with distinct serials', async () => {
    const { issue } = setup();
    const [a, b] = await Promise.all([issue(grantBody({ id: 'g-a' })), issue(grantBody({ id: 'g-b' }))]);
    expect(new Set([a.grant.serial, b.grant.serial])).toEqual(new Set(['1', '2']));
  });
});
