import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../../src/service/ports/audit.js';
import type { Store } from '../../../../src/service/ports/store.js';
import { createReportMessageFailure } from '../../../../src/service/use-cases/sweeps/report-message-failure.js';
import { memoryLogger, RecordingNotifier } from '../../../support/service-fakes.js';

function setup(adminChannel?: string) {
  const audits: AuditEntry[] = [];
  const store = {
    appendAudit: async (entry: AuditEntry) => {
      audits.push(entry);
      return { ...entry, seq: audits.length, at: new Date(0).toISOString() };
    },
  } as unknown as Store;
  const notifier = new RecordingNotifier();
  const report = createReportMessageFailure({
    store,
    notifier,
    logger: memoryLogger(),
    ...(adminChannel ? { adminChannel } : {}),
  });
  return { audits, notifier, report };
}

const failed = {
  conversation: 'U0ALICE',
  kind: 'notice_ended',
  requestId: 'req_abc',
  error: 'user_not_found',
  attempts: 1,
  enqueuedAt: Date.parse('2026-01-01T10:00:00Z'),
  messageId: 'dm-ended-req_abc-grant_abc',
};

describe('a message that gave up', () => {
  it('is one message_failed record and an alert in the admin channel', async () => {
    const { audits, notifier, report } = setup('C0ADMIN');
    await report(failed);
    expect(audits).toEqual([
      {
        type: 'message_failed',
        requestId: 'req_abc',
        actor: 'jumpgate',
        target: null,
        detail: {
          conversation: 'U0ALICE',
          kind: 'notice_ended',
          messageId: 'dm-ended-req_abc-grant_abc',
          error: 'user_not_found',
          attempts: 1,
          firstTriedAt: '2026-01-01T10:00:00.000Z',
        },
      },
    ]);
    expect(notifier.alerts).toHaveLength(1);
    expect(notifier.alerts[0]).toMatchObject({ channel: 'C0ADMIN', requestId: 'req_abc' });
    expect(notifier.alerts[0]!.text).toContain('user_not_found');
  });

  it('to the admin channel itself is recorded, never alerted there again (no loop); without an admin channel, recorded only', async () => {
    const admin = setup('C0ADMIN');
    await admin.report({ ...failed, conversation: 'C0ADMIN', kind: 'alert' });
    expect(admin.audits).toHaveLength(1);
    expect(admin.notifier.alerts).toEqual([]);
    const none = setup();
    await none.report(failed);
    expect(none.audits).toHaveLength(1);
    expect(none.notifier.alerts).toEqual([]);
  });
});
