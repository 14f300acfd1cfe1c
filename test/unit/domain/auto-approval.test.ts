import { describe, expect, it } from 'vitest';
import { decideAutoApproval, type IncidentFact } from '../../../src/domain/auto-approval.js';
import type { PagerDutyAutoApprove } from '../../../src/domain/workflow.js';

const RULE: PagerDutyAutoApprove = {
  escalationPolicies: ['PESC1'],
  services: ['PSVC1', 'PSVC2'],
  maxDuration: 3_600_000,
  requireAssigned: false,
  endWithIncident: false,
};
const incident = (number: number, serviceId = 'PSVC1', assigneeIds: string[] = []): IncidentFact => ({
  id: `PINC${number}`,
  number,
  serviceId,
  assigneeIds,
});

describe('decideAutoApproval', () => {
  it('approves when on call for a listed policy and a listed service has an active incident', () => {
    const decision = decideAutoApproval(RULE, {
      userId: 'PU1',
      onCalls: [{ escalationPolicyId: 'PESC1', level: 1 }],
      incidents: [incident(42)],
    });
    expect(decision).toEqual({
      approved: true,
      onCall: { escalationPolicyId: 'PESC1', level: 1 },
      incident: incident(42),
    });
  });

  it.each([
    [
      'on call for another policy only',
      { onCalls: [{ escalationPolicyId: 'POTHER', level: 1 }], incidents: [incident(1)] },
      'you are not on call for PESC1',
    ],
    ['not on call at all', { onCalls: [], incidents: [incident(1)] }, 'you are not on call for PESC1'],
    [
      'on call but no incident',
      { onCalls: [{ escalationPolicyId: 'PESC1', level: 1 }], incidents: [] },
      'no triggered or acknowledged incident on PSVC1, PSVC2',
    ],
    [
      'an incident on another service',
      { onCalls: [{ escalationPolicyId: 'PESC1', level: 1 }], incidents: [incident(1, 'PELSEWHERE')] },
      'no triggered or acknowledged incident on PSVC1, PSVC2',
    ],
  ])('refuses when %s', (_, facts, reason) => {
    expect(decideAutoApproval(RULE, { userId: 'PU1', ...facts })).toEqual({ approved: false, reason });
  });

  it('counts only escalation levels up to max_escalation_level', () => {
    const rule = { ...RULE, maxEscalationLevel: 2 };
    expect(
      decideAutoApproval(rule, {
        userId: 'PU1',
        onCalls: [{ escalationPolicyId: 'PESC1', level: 3 }],
        incidents: [incident(1)],
      }),
    ).toEqual({
      approved: false,
      reason: 'you are on call at escalation level 3; this workflow counts levels up to 2',
    });
    const both = decideAutoApproval(rule, {
      userId: 'PU1',
      onCalls: [
        { escalationPolicyId: 'PESC1', level: 3 },
        { escalationPolicyId: 'PESC1', level: 2 },
      ],
      incidents: [incident(1)],
    });
    expect(both.approved && both.onCall.level).toBe(2);
  });

  it('requires being assigned to the incident when require_assigned is set', () => {
    const rule = { ...RULE, requireAssigned: true };
    const onCalls = [{ escalationPolicyId: 'PESC1', level: 1 }];
    expect(decideAutoApproval(rule, { userId: 'PU1', onCalls, incidents: [incident(7, 'PSVC1', ['PU2'])] })).toEqual({
      approved: false,
      reason: 'you are not assigned to incident #7',
    });
    const assigned = decideAutoApproval(rule, {
      userId: 'PU1',
      onCalls,
      incidents: [incident(7, 'PSVC1', ['PU2']), incident(9, 'PSVC2', ['PU1'])],
    });
    expect(assigned.approved && assigned.incident.number).toBe(9);
  });
});
