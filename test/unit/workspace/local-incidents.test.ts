import { describe, expect, it } from 'vitest';
import { loadDemoDirectory } from '../../../src/workspace/demo-directory.js';
import { createLocalIncidents } from '../../../src/workspace/local-incidents.js';

describe('the local Incidents port', () => {
  const make = async () => {
    let changes = 0;
    const incidents = createLocalIncidents({
      directory: await loadDemoDirectory(),
      baseUrl: () => 'http://127.0.0.1:3000',
      onChange: () => void (changes += 1),
    });
    return { incidents, changes: () => changes };
  };

  it('finds the demo directory’s people by email, in any case, as PagerDuty users', async () => {
    const { incidents } = await make();
    expect(await incidents.userByEmail('Alice@Example.com')).toEqual({
      id: 'P0ALICE',
      email: 'alice@example.com',
      name: 'Alice Martin',
    });
    expect(await incidents.userByEmail('nobody@example.com')).toBeUndefined();
  });

  it('says who is on call for which escalation policy, as the panel set it', async () => {
    const { incidents, changes } = await make();
    incidents.setOnCall('PPRODESC', 'U0DANA');
    expect(await incidents.onCalls('P0DANA', ['PPRODESC', 'POTHER'])).toEqual([
      { escalationPolicyId: 'PPRODESC', level: 1, userId: 'P0DANA' },
    ]);
    expect(await incidents.onCalls('P0ALICE', ['PPRODESC'])).toEqual([]);
    incidents.setOnCall('PPRODESC', undefined);
    expect(await incidents.onCalls('P0DANA', ['PPRODESC'])).toEqual([]);
    expect(changes()).toBe(2);
  });

  it('lists open incidents of the asked services until they are resolved, and keeps their notes', async () => {
    const { incidents } = await make();
    incidents.setOnCall('PPRODESC', 'U0DANA');
    const opened = incidents.open('PDBSVC1', 'replication lag');
    expect(opened).toMatchObject({ status: 'triggered', serviceId: 'PDBSVC1', assigneeIds: ['P0DANA'] });
    expect((await incidents.activeIncidents(['PDBSVC1'])).map((i) => i.id)).toEqual([opened.id]);
    expect(await incidents.activeIncidents(['PWEBSVC2'])).toEqual([]);
    await incidents.addNote(opened.id, 'access granted');
    incidents.resolve(opened.id);
    expect(await incidents.activeIncidents(['PDBSVC1'])).toEqual([]);
    expect(await incidents.incident(opened.id)).toMatchObject({ status: 'resolved', notes: ['access granted'] });
    expect(await incidents.incident('Q0NONE')).toBeUndefined();
  });
});
