import { describe, expect, it } from 'vitest';
import { createRevocationList, KRL_EXPIRY_MARGIN_MS } from '../../../src/broker/server/revocation-list.js';
import { recordingKrl } from '../../support/broker-fakes.js';

const NOW = Date.parse('2030-01-01T12:00:00Z');

function setup(initial: { serial: string; notAfterMs: number }[] = []) {
  let nowMs = NOW;
  const krl = recordingKrl();
  const added: number[] = [];
  const list = createRevocationList({ krl, now: () => nowMs, initial, onAdded: (count) => added.push(count) });
  return { list, krl, added, advance: (ms: number) => (nowMs += ms) };
}

describe('the revocation list', () => {
  it('writes the revoked serials it was started with, and each one added after', async () => {
    const { list, krl, added } = setup([{ serial: '3', notAfterMs: NOW + 60_000 }]);
    await list.rewrite();
    await list.add({ serial: '7', notAfterMs: NOW + 60_000 });
    expect(krl.writes).toEqual([['3'], ['3', '7']]);
    expect(added).toEqual([1]);
    expect(list.stats()).toEqual({ serials: 2, bytes: 46, writeMs: 0, writes: 2, revocations: 1 });
  });

  it('keeps a serial for the clock-skew margin after its certificate expired, then drops it', async () => {
    const { list, krl, advance } = setup([{ serial: '3', notAfterMs: NOW }]);
    await list.add({ serial: '4', notAfterMs: NOW + 3_600_000 });
    advance(KRL_EXPIRY_MARGIN_MS - 1);
    expect(list.hasExpired()).toBe(false);
    await list.rewrite();
    expect(krl.writes.at(-1)).toEqual(['3', '4']);
    advance(1);
    expect(list.hasExpired()).toBe(true);
    await list.rewrite();
    expect(krl.writes.at(-1)).toEqual(['4']);
    expect(list.hasExpired()).toBe(false);
  });

  it('does not write a serial whose certificate expired longer ago than the margin, but answers its caller', async () => {
    const { list, krl, added } = setup();
    await list.add({ serial: '9', notAfterMs: NOW - KRL_EXPIRY_MARGIN_MS });
    expect(krl.writes).toEqual([[]]);
    expect(added).toEqual([]);
  });

  it('adds nothing when the write fails: the serial is not counted as in the KRL, and a retry writes it', async () => {
    const { list, krl } = setup();
    const write = krl.write;
    krl.write = () => Promise.reject(new Error('disk full'));
    await expect(list.add({ serial: '5', notAfterMs: NOW + 60_000 })).rejects.toThrow('disk full');
    expect(list.stats().revocations).toBe(0);
    krl.write = write;
    await list.add({ serial: '5', notAfterMs: NOW + 60_000 });
    expect(krl.writes).toEqual([['5']]);
  });
});
