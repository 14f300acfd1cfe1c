import { describe, expect, it } from 'vitest';
import type { AccessRequest } from '../../../../src/domain/access-request.js';
import type { Scheduler } from '../../../../src/service/ports/scheduler.js';
import type { Store } from '../../../../src/service/ports/store.js';
import { runEffects } from '../../../../src/service/support/effects.js';
import { accessRequest } from '../../../support/builders.js';
import { policy, workflow } from '../../../support/policy-builders.js';
import { memoryLogger, RecordingNotifier, RecordingScheduler } from '../../../support/service-fakes.js';

const POLICY = policy(workflow());
const MESSAGE = { channel: 'C0APPROVALS', ts: '1.000001' };
const store = { setMessage: async () => {} } as unknown as Store;

function deps(
  overrides: {
    scheduler?: Scheduler;
    notifier?: RecordingNotifier;
    logs?: { level: string; object: object; message?: string }[];
  } = {},
) {
  return {
    store,
    scheduler: overrides.scheduler ?? new RecordingScheduler(),
    notifier: overrides.notifier ?? new RecordingNotifier(),
    policy: () => POLICY,
    logger: memoryLogger(overrides.logs),
  };
}

/** Records when each call starts and ends; every call takes a few turns of the event loop. */
function tracing(events: string[]) {
  const slow = (name: string) => async () => {
    events.push(`${name}:start`);
    await new Promise((resolve) => setTimeout(resolve, 20));
    events.push(`${name}:end`);
  };
  const scheduler = Object.assign(new RecordingScheduler(), { expireAt: slow('expire'), warnAt: slow('warn') });
  const notifier = Object.assign(new RecordingNotifier(), { tell: slow('dm'), updateApprovalMessage: slow('update') });
  return { scheduler, notifier };
}

describe('runEffects', () => {
  it('cancels the pending-phase jobs of a request that left pending, and only then', async () => {
    const scheduler = new RecordingScheduler();
    const pending = accessRequest();
    await runEffects(deps({ scheduler }), { request: { ...pending, status: 'denied' }, previous: pending }, {});
    await runEffects(deps({ scheduler }), { request: { ...pending, escalated: true }, previous: pending }, {});
    expect(scheduler.cancelled).toEqual([pending.id]);
  });

  it('schedules the revocation before anything else, then the warning, the DM and the update together', async () => {
    const events: string[] = [];
    const { scheduler, notifier } = tracing(events);
    const active: AccessRequest = { ...accessRequest({ status: 'active' }), message: MESSAGE };
    await runEffects(
      deps({ scheduler, notifier }),
      { request: active },
      {
        jobs: [{ kind: 'expire', at: 1 }],
        laterJobs: [{ kind: 'warn', at: 1 }],
        notice: { type: 'granted', certificate: 'cert' },
        update: true,
      },
    );
    expect(events.slice(0, 2)).toEqual(['expire:start', 'expire:end']);
    const rest = events.slice(2);
    // All three started before any of them ended: they ran concurrently, not one after another.
    expect(rest.slice(0, 3).sort()).toEqual(['dm:start', 'update:start', 'warn:start']);
    expect(rest.slice(3).sort()).toEqual(['dm:end', 'update:end', 'warn:end']);
  });

  it('logs what failed and carries on: a job or a message never undoes the commit', async () => {
    const logs: { level: string; object: object; message?: string }[] = [];
    const scheduler = Object.assign(new RecordingScheduler(), {
      expireAt: () => Promise.reject(new Error('redis down')),
    });
    const notifier = new RecordingNotifier();
    notifier.failing = true;
    const active: AccessRequest = { ...accessRequest({ status: 'active' }), message: MESSAGE };
    await expect(
      runEffects(
        deps({ scheduler, notifier, logs }),
        { request: active },
        {
          jobs: [{ kind: 'expire', at: 1 }],
          laterJobs: [{ kind: 'warn', at: 2 }],
          notice: { type: 'ended' },
          update: true,
        },
      ),
    ).resolves.toEqual({});
    expect(logs.map((l) => l.message)).toEqual(
      expect.arrayContaining([
        'could not schedule the revocation; reconciliation will revoke at notAfter',
        'could not send the ended DM',
        'could not send the approval message update',
      ]),
    );
    expect(scheduler.find('warn', active.id)).toHaveLength(1);
  });

  it('still schedules the jobs of a request whose workflow is gone, and sends no message', async () => {
    const scheduler = new RecordingScheduler();
    const notifier = new RecordingNotifier();
    const orphan: AccessRequest = { ...accessRequest({ status: 'active', workflow: 'gone' }), message: MESSAGE };
    await runEffects(
      deps({ scheduler, notifier }),
      { request: orphan },
      { jobs: [{ kind: 'expire', at: 1 }], update: true, notice: { type: 'ended' } },
    );
    expect(scheduler.find('expire', orphan.id)).toHaveLength(1);
    expect([...notifier.updates, ...notifier.told]).toEqual([]);
  });

  it('with a notifier that queues the post, names the workflow’s channel and still asks for the update after it', async () => {
    const asked: { what: string; ref: unknown }[] = [];
    const queuing = Object.assign(new RecordingNotifier(), {
      postApprovalMessage: async () => void asked.push({ what: 'post', ref: undefined }),
      updateApprovalMessage: async (ref: unknown) => void asked.push({ what: 'update', ref }),
    });
    const approved: AccessRequest = accessRequest({ status: 'approved' });
    const outcome = await runEffects(deps({ notifier: queuing }), { request: approved }, { post: true, update: true });
    expect(outcome).toEqual({ postedTo: POLICY.workflows[0]!.access.channel });
    // Where the post lands is not known yet: the update is asked for anyway, to be sent after it.
    expect(asked).toEqual([
      { what: 'post', ref: undefined },
      { what: 'update', ref: undefined },
    ]);
  });
});
