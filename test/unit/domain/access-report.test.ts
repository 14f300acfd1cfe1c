import { describe, expect, it } from 'vitest';
import { accessRows, cellOf, type ReportRecord } from '../../../src/domain/access-report.js';

function record(
  type: ReportRecord['type'],
  requestId: string,
  actor: string,
  detail: Record<string, unknown>,
  at: string,
  target = 'prod-db',
): ReportRecord {
  return {
    type,
    requestId,
    actor,
    target,
    detail,
    at,
    ...(type === 'requested' ? {} : { grantId: `grant_${requestId.slice(4)}` }),
  };
}

const trail: ReportRecord[] = [
  record('requested', 'req_old', 'U0ALICE', { kind: 'standard', reason: 'old work' }, '2026-01-01T10:00:00.000Z'),
  record('approved', 'req_old', 'U0LEAD', { complete: true }, '2026-01-01T10:01:00.000Z'),
  record('granted', 'req_old', 'jumpgate', { notAfter: '2026-01-01T11:01:00.000Z' }, '2026-01-01T10:01:01.000Z'),
  record('expired', 'req_old', 'jumpgate', {}, '2026-01-01T11:01:02.000Z'),
  record(
    'requested',
    'req_bg',
    'U0BOB',
    { kind: 'breakglass', reason: 'outage, INC-7', ticket: 'INC-7' },
    '2026-06-01T10:00:00.000Z',
  ),
  record('breakglass', 'req_bg', 'U0BOB', {}, '2026-06-01T10:00:00.000Z'),
  record('granted', 'req_bg', 'jumpgate', { notAfter: '2026-06-01T11:00:00.000Z' }, '2026-06-01T10:00:01.000Z'),
  record('revoked', 'req_bg', 'jumpgate', { reason: 'prod-db was retired' }, '2026-06-01T10:30:00.000Z'),
  record('review_done', 'req_bg', 'U0LEAD', { outcome: 'ok' }, '2026-06-01T12:00:00.000Z'),
  record('requested', 'req_denied', 'U0EVE', { kind: 'standard', reason: 'no' }, '2026-06-02T10:00:00.000Z'),
  record('denied', 'req_denied', 'U0LEAD', {}, '2026-06-02T10:01:00.000Z'),
  record(
    'requested',
    'req_other',
    'U0ALICE',
    { kind: 'standard', reason: 'x' },
    '2026-06-03T10:00:00.000Z',
    'prod-web',
  ),
  record('granted', 'req_other', 'jumpgate', {}, '2026-06-03T10:01:00.000Z', 'prod-web'),
  record('requested', 'req_live', 'U0CAROL', { kind: 'standard', reason: 'now' }, '2026-06-04T10:00:00.000Z'),
  record('approved', 'req_live', 'U0LEAD', {}, '2026-06-04T10:01:00.000Z'),
  record('approved', 'req_live', 'U0SRE', {}, '2026-06-04T10:02:00.000Z'),
  record('granted', 'req_live', 'jumpgate', { notAfter: '2026-06-04T12:00:00.000Z' }, '2026-06-04T10:02:01.000Z'),
];

describe('accessRows', () => {
  it('is one row per grant of the target, oldest first, with who approved it and how it ended', () => {
    const rows = accessRows(trail, 'prod-db');
    expect(rows.map((r) => r.requestId)).toEqual(['req_old', 'req_bg', 'req_live']);
    expect(rows[0]).toMatchObject({ holder: 'U0ALICE', approvedBy: ['U0LEAD'], ended: 'expired', reason: 'old work' });
    expect(rows[1]).toMatchObject({
      kind: 'breakglass',
      approvedBy: ['breakglass'],
      ended: 'revoked',
      endedBy: 'jumpgate',
      endReason: 'prod-db was retired',
      ticket: 'INC-7',
      review: 'ok by U0LEAD',
    });
    expect(rows[2]).toMatchObject({ holder: 'U0CAROL', approvedBy: ['U0LEAD', 'U0SRE'] });
    expect(rows[2]?.ended).toBeUndefined();
    expect(cellOf(rows[2]!, 'ended')).toBe('active');
  });

  it('with a since, leaves out access that had ended before it and keeps what is still held', () => {
    const rows = accessRows(trail, 'prod-db', Date.parse('2026-03-01T00:00:00Z'));
    expect(rows.map((r) => r.requestId)).toEqual(['req_bg', 'req_live']);
  });
});
