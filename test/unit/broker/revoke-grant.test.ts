import { describe, expect, it } from 'vitest';
import { BrokerHttpError } from '../../../src/broker/server/http-error.js';
import type { Krl } from '../../../src/broker/server/krl.js';
import { createRevocationList } from '../../../src/broker/server/revocation-list.js';
import { createGrantRevoker } from '../../../src/broker/server/revoke-grant.js';
import type { SessionTerminator } from '../../../src/broker/server/session-terminator.js';
import { capturingLogger, memoryGrantStore, recordingKrl, storedGrant } from '../../support/broker-fakes.js';

const NOW = Date.parse('2030-01-01T12:10:00Z');

const REVOKED_BEFORE = storedGrant({ id: 'g-0', serial: '3', revokedAt: '2030-01-01T11:00:00.000Z' });

function revoker(store: ReturnType<typeof memoryGrantStore>, krl: Krl, sessions?: SessionTerminator) {
  const { logger, records } = capturingLogger();
  const revocations = createRevocationList({
    krl,
    now: () => NOW,
    initial: [{ serial: '3', notAfterMs: Date.parse(REVOKED_BEFORE.notAfter) }],
  });
  const revoke = createGrantRevoker({ store, revocations, now: () => NOW, logger, ...(sessions ? { sessions } : {}) });
  return { revoke, revocations, records };
}

function setup(sessions?: SessionTerminator, events: string[] = []) {
  const store = memoryGrantStore([REVOKED_BEFORE, storedGrant({ id: 'g-1', serial: '4' })]);
  const krl = recordingKrl(events);
  return { ...revoker(store, krl, sessions), store, krl };
}

function recordingTerminator(
  events: string[],
  result: () => Promise<number>,
): SessionTerminator & { calls: { id: string; serial: string }[] } {
  const calls: { id: string; serial: string }[] = [];
  return {
    calls,
    terminate: (grant) => {
      calls.push(grant);
      events.push(`terminate ${grant.id}`);
      return result();
    },
  };
}

describe('revoking a grant', () => {
  it('writes a KRL with every revoked serial, then marks the grant revoked', async () => {
    const { revoke, store, krl } = setup();
    const revoked = await revoke('g-1');
    expect(krl.writes).toEqual([['3', '4']]);
    expect(revoked.revokedAt).toBe('2030-01-01T12:10:00.000Z');
    expect(store.get('g-1')?.revokedAt).toBe('2030-01-01T12:10:00.000Z');
  });

  it('ends live sessions after the KRL is written, with the grant id and serial', async () => {
    const events: string[] = [];
    const sessions = recordingTerminator(events, () => Promise.resolve(2));
    const { revoke, records } = setup(sessions, events);
    await revoke('g-1');
    expect(events).toEqual(['krl 3,4', 'terminate g-1']);
    expect(sessions.calls).toEqual([{ id: 'g-1', serial: '4' }]);
    expect(
      records.some((record) => record.msg === 'ended the live sessions of a revoked grant' && record.sessions === 2),
    ).toBe(true);
  });

  it('still revokes when ending sessions fails, and logs the failure', async () => {
    const events: string[] = [];
    const sessions = recordingTerminator(events, () => Promise.reject(new Error('sshd log unreadable')));
    const { revoke, records } = setup(sessions, events);
    await expect(revoke('g-1')).resolves.toMatchObject({ id: 'g-1', revokedAt: '2030-01-01T12:10:00.000Z' });
    const failure = records.find((record) => record.msg === 'could not end the live sessions of a revoked grant');
    expect(failure).toMatchObject({ level: 50, grantId: 'g-1' });
  });

  it('answers a second revocation with the first one, rewriting nothing but retrying the session end', async () => {
    const events: string[] = [];
    const sessions = recordingTerminator(events, () => Promise.resolve(0));
    const { revoke, krl } = setup(sessions, events);
    const first = await revoke('g-1');
    const second = await revoke('g-1');
    expect(second).toEqual(first);
    expect(krl.writes).toHaveLength(1);
    expect(sessions.calls).toHaveLength(2);
  });

  it('refuses an unknown grant with 404 not_found', async () => {
    const { revoke } = setup();
    await expect(revoke('g-9')).rejects.toEqual(new BrokerHttpError(404, 'not_found', 'the broker has no grant g-9'));
  });

  it('leaves the grant active when the KRL cannot be written, so a retry revokes it', async () => {
    const { store } = setup();
    const failingKrl = { ...recordingKrl(), write: () => Promise.reject(new Error('disk full')) };
    const { revoke, records } = revoker(store, failingKrl);
    await expect(revoke('g-1')).rejects.toThrow('disk full');
    expect(store.get('g-1')?.revokedAt).toBeUndefined();
    expect(records).toEqual([]);
  });

  it('revokes the same grant asked twice at once with one KRL entry and one revokedAt', async () => {
    const { revoke, krl, store } = setup();
    const [a, b] = await Promise.all([revoke('g-1'), revoke('g-1')]);
    expect(a).toEqual(b);
    expect(krl.writes.flat().filter((serial) => serial === '4')).toHaveLength(1);
    expect(store.get('g-1')?.revokedAt).toBe('2030-01-01T12:10:00.000Z');
  });

  it('answers revocations that arrive during a KRL write with one shared write, each serial in it', async () => {
    const grants = Array.from({ length: 20 }, (_, i) => storedGrant({ id: `g-${i + 10}`, serial: String(i + 10) }));
    const store = memoryGrantStore([REVOKED_BEFORE, ...grants]);
    const krl = recordingKrl([], 20);
    const { revoke, revocations } = revoker(store, krl);
    await Promise.all(grants.map((grant) => revoke(grant.id)));
    // The first revocation starts a write alone; the other 19 arrive during it and share the next one.
    expect(krl.writes).toHaveLength(2);
    expect([...krl.writes[1]!].sort()).toEqual(['3', ...grants.map((grant) => grant.serial)].sort());
    expect(revocations.stats()).toMatchObject({ writes: 2, revocations: 20, serials: 21 });
  });
});
