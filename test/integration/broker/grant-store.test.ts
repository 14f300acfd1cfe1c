import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRANT_JOURNAL, type GrantStore, openGrantStore } from '../../../src/broker/server/grant-store.js';
import { storedGrant } from '../../support/broker-fakes.js';

/** The broker's grant journal on a real file system: what survives a restart, a crash and an upgrade. */
let root: string;
let count = 0;
const opened: GrantStore[] = [];

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'jumpgate-grant-store-'));
});

afterAll(async () => {
  await Promise.all(opened.map((store) => store.close().catch(() => undefined)));
  await rm(root, { recursive: true, force: true });
});

async function freshDir(): Promise<string> {
  count += 1;
  const dir = path.join(root, `d${count}`);
  await mkdir(dir, { recursive: true });
  return dir;
}

async function openStore(dir: string): Promise<GrantStore> {
  const store = await openGrantStore(dir);
  opened.push(store);
  return store;
}

const journalLines = async (dir: string) =>
  (await readFile(path.join(dir, GRANT_JOURNAL), 'utf8')).split('\n').filter((line) => line !== '');

describe('the grant journal', () => {
  it('keeps every saved grant across a restart, the last record of an id winning, with mode 0600', async () => {
    const dir = await freshDir();
    const first = await openStore(dir);
    await first.save(storedGrant({ id: 'g-1', serial: '1' }));
    await first.save(storedGrant({ id: 'g-2', serial: '2' }));
    await first.save(storedGrant({ id: 'g-1', serial: '1', revokedAt: '2030-01-01T12:10:00.000Z' }));
    expect(first.get('g-1')?.revokedAt).toBe('2030-01-01T12:10:00.000Z');
    await first.close();

    const second = await openStore(dir);
    expect(second.all().map((grant) => [grant.id, grant.revokedAt])).toEqual([
      ['g-1', '2030-01-01T12:10:00.000Z'],
      ['g-2', undefined],
    ]);
    expect((await stat(path.join(dir, GRANT_JOURNAL))).mode & 0o777).toBe(0o600);
    // Serials continue after the highest one recorded, in a new reserved block.
    expect(BigInt(await second.reserveSerial())).toBeGreaterThan(2n);
  });

  it('writes grants saved together durably, each one readable after a restart', async () => {
    const dir = await freshDir();
    const store = await openStore(dir);
    const grants = Array.from({ length: 200 }, (_, i) => storedGrant({ id: `g-${i}`, serial: String(i + 1) }));
    await Promise.all(grants.map((grant) => store.save(grant)));
    expect(await journalLines(dir)).toHaveLength(200);
    await store.close();
    expect((await openStore(dir)).all()).toHaveLength(200);
  });

  it('drops a torn last line (a crash during a write that was never answered) and appends after the last whole one', async () => {
    const dir = await freshDir();
    const store = await openStore(dir);
    await store.save(storedGrant({ id: 'g-whole' }));
    await store.close();
    await appendFile(path.join(dir, GRANT_JOURNAL), '{"id":"g-torn","requ');

    const reopened = await openStore(dir);
    expect(reopened.all().map((grant) => grant.id)).toEqual(['g-whole']);
    await reopened.save(storedGrant({ id: 'g-after', serial: '2' }));
    await reopened.close();
    expect((await journalLines(dir)).map((line) => (JSON.parse(line) as { id: string }).id)).toEqual([
      'g-whole',
      'g-after',
    ]);
  });

  it('refuses to start on a damaged line before the last, naming the file and the line', async () => {
    const dir = await freshDir();
    const good = JSON.stringify(storedGrant());
    await writeFile(path.join(dir, GRANT_JOURNAL), `${good}\n{"id":"g-2"}\n${good}\n`);
    await expect(openGrantStore(dir)).rejects.toThrow(
      `${path.join(dir, GRANT_JOURNAL)} line 2 is not a grant record: `,
    );
  });

  it('moves the grant files of earlier versions (grants/<id>.json) into the journal and removes their folder', async () => {
    const dir = await freshDir();
    await mkdir(path.join(dir, 'grants'));
    const legacy = [
      storedGrant({ id: 'g-old-1', serial: '7' }),
      storedGrant({ id: 'g-old-2', serial: '8', revokedAt: '2030-01-01T12:05:00.000Z' }),
    ];
    for (const grant of legacy)
      await writeFile(path.join(dir, 'grants', `${grant.id}.json`), JSON.stringify(grant, null, 2));
    await writeFile(path.join(dir, 'serial'), '100\n');

    const store = await openStore(dir);
    expect(store.all()).toEqual(legacy);
    expect(await readdir(dir)).not.toContain('grants');
    expect((await journalLines(dir)).map((line) => JSON.parse(line) as unknown)).toEqual(legacy);
    expect(await store.reserveSerial()).toBe('101');
  });

  it('forgets what expired at once and, once most of the journal is history, rewrites it with the live grants only', async () => {
    const dir = await freshDir();
    const store = await openStore(dir);
    const expired = Array.from({ length: 1_500 }, (_, i) =>
      storedGrant({ id: `g-old-${i}`, serial: String(i + 1), notAfter: '2030-01-01T12:00:00.000Z' }),
    );
    const live = storedGrant({ id: 'g-live', serial: '2000', notAfter: '2030-01-01T13:00:00.000Z' });
    await Promise.all([...expired, live].map((grant) => store.save(grant)));
    expect(await journalLines(dir)).toHaveLength(1_501);

    expect(await store.prune(Date.parse('2030-01-01T12:00:00.000Z'))).toBe(1_500);
    expect(store.all().map((grant) => grant.id)).toEqual(['g-live']);
    expect(await journalLines(dir)).toEqual([JSON.stringify(live)]);
    // Appends after the rewrite go to the new journal.
    await store.save({ ...live, revokedAt: '2030-01-01T12:30:00.000Z' });
    await store.close();
    const reopened = await openStore(dir);
    expect(reopened.all()).toEqual([{ ...live, revokedAt: '2030-01-01T12:30:00.000Z' }]);
  });

  it('keeps a small journal as it is on prune (a restart reads the pruned lines back, the prune at start forgets them)', async () => {
    const dir = await freshDir();
    const store = await openStore(dir);
    await store.save(storedGrant({ id: 'g-old', notAfter: '2030-01-01T12:00:00.000Z' }));
    await store.save(storedGrant({ id: 'g-live', serial: '2', notAfter: '2030-01-01T13:00:00.000Z' }));
    expect(await store.prune(Date.parse('2030-01-01T12:00:00.000Z'))).toBe(1);
    expect(store.get('g-old')).toBeUndefined();
    expect(await journalLines(dir)).toHaveLength(2);
  });
});
