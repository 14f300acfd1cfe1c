import { describe, expect, it } from 'vitest';
import {
  autoApproveDuration,
  checkRequest,
  MAX_REASON_LENGTH,
  type RequestInput,
} from '../../../src/domain/request-rules.js';
import { HOUR, MINUTE, workflow } from '../../support/policy-builders.js';
import { thrown } from './thrown.js';

const TICKETS = '^(INC|CHG)-[0-9]+$';

function ask(overrides: Partial<RequestInput> = {}): RequestInput {
  return {
    workflow: workflow(),
    target: 'prod-db',
    kind: 'standard',
    duration: '30m',
    reason: 'fix replication',
    ...overrides,
  };
}

describe('checkRequest: durations', () => {
  it('accepts a duration within the maximum as asked', () => {
    expect(checkRequest(ask({ duration: '1h30m' })).durationMs).toBe(90 * MINUTE);
  });

  it('accepts exactly the maximum', () => {
    expect(checkRequest(ask({ duration: '4h' })).durationMs).toBe(4 * HOUR);
  });

  // Default workflow: standard max 4h, breakglass max 1h, vendor max 2h.
  it.each([
    ['standard', '2d', 'maximum', '2d is longer than the maximum for prod-db (4h)', 2 * 24 * HOUR, 4 * HOUR],
    ['standard', '4h1s', 'maximum', '4h1s is longer than the maximum for prod-db (4h)', 4 * HOUR + 1_000, 4 * HOUR],
    ['breakglass', '2h', 'breakglass', '2h is longer than the breakglass maximum for prod-db (1h)', 2 * HOUR, HOUR],
    ['vendor', '3h', 'vendor', '3h is longer than the vendor session maximum for prod-db (2h)', 3 * HOUR, 2 * HOUR],
  ] as const)(
    'refuses a %s request of %s over its %s, never clamping',
    (kind, duration, _which, message, requested, max) => {
      const error = thrown(() => checkRequest(ask({ kind, duration })));
      expect(error.code).toBe('duration_over_max');
      expect(error.message).toBe(message);
      expect(error.details).toEqual({ requested, max });
    },
  );

  it('holds a standard request to the standard maximum even when breakglass allows longer', () => {
    const wf = workflow({ access: { maxDuration: HOUR }, breakglass: { maxDuration: 4 * HOUR } });
    expect(thrown(() => checkRequest(ask({ workflow: wf, duration: '2h' }))).code).toBe('duration_over_max');
    expect(checkRequest(ask({ workflow: wf, kind: 'breakglass', duration: '2h' })).durationMs).toBe(2 * HOUR);
  });

  it('refuses a duration under the workflow minimum and names it', () => {
    const wf = workflow({ access: { minDuration: 15 * MINUTE } });
    const error = thrown(() => checkRequest(ask({ workflow: wf, duration: '5m' })));
    expect(error.code).toBe('duration_under_min');
    expect(error.message).toBe('5m is shorter than the minimum for prod-db (15m)');
    expect(error.details).toEqual({ requested: 5 * MINUTE, min: 15 * MINUTE });
    expect(checkRequest(ask({ workflow: wf, duration: '15m' })).durationMs).toBe(15 * MINUTE);
  });

  it('has no minimum unless the workflow sets one', () => {
    expect(checkRequest(ask({ duration: '1s' })).durationMs).toBe(1_000);
  });

  it('passes on invalid_duration from the parser with the allowed forms', () => {
    const error = thrown(() => checkRequest(ask({ duration: '4 hours' })));
    expect(error.code).toBe('invalid_duration');
    expect(error.message).toBe('"4 hours" is not a duration (use 90s, 30m, 2h, 1h30m, 1d)');
  });

  // Default workflow: default 30m; breakglass max 1h; vendor max 2h.
  it.each([
    ['standard', undefined, {}, 30 * MINUTE],
    ['standard', '  ', {}, 30 * MINUTE],
    ['breakglass', undefined, {}, HOUR],
    ['vendor', undefined, {}, 30 * MINUTE],
    ['vendor', undefined, { vendor: { maxDuration: 20 * MINUTE } }, 20 * MINUTE],
  ] as const)('gives a %s request with duration %j the default', (kind, duration, overrides, expected) => {
    expect(checkRequest(ask({ workflow: workflow(overrides), kind, duration })).durationMs).toBe(expected);
  });
});

describe('checkRequest: reasons', () => {
  it('returns the reason trimmed', () => {
    expect(checkRequest(ask({ reason: '  fix replication \n' })).reason).toBe('fix replication');
  });

  it.each([
    ['standard', { requireReason: true }, 'a reason is required for access to prod-db; say why it is needed'],
    [
      'breakglass',
      { requireReason: false },
      'a reason is required for breakglass access to prod-db; say why it is needed',
    ],
    ['vendor', { requireReason: false }, 'a reason is required for a vendor session on prod-db; say why it is needed'],
  ] as const)('refuses a blank reason on a %s request (access %j)', (kind, access, message) => {
    const error = thrown(() => checkRequest(ask({ workflow: workflow({ access }), kind, reason: ' \t ' })));
    expect(error.code).toBe('reason_required');
    expect(error.message).toBe(message);
  });

  it('accepts an empty reason on a standard request when the workflow does not require one', () => {
    const checked = checkRequest(ask({ workflow: workflow({ access: { requireReason: false } }), reason: '' }));
    expect(checked).toEqual({ durationMs: 30 * MINUTE, reason: '' });
  });
});

describe('checkRequest: reason length', () => {
  it(`accepts a reason of exactly ${MAX_REASON_LENGTH} characters, counting an emoji as one`, () => {
    const reason = `${'x'.repeat(MAX_REASON_LENGTH - 1)}🔥`;
    expect(checkRequest(ask({ reason })).reason).toBe(reason);
  });

  it.each(['standard', 'breakglass', 'vendor'] as const)(
    'refuses a longer reason on a %s request with its length and the limit',
    (kind) => {
      const error = thrown(() => checkRequest(ask({ kind, reason: 'y'.repeat(1_234) })));
      expect(error.code).toBe('reason_too_long');
      expect(error.message).toBe('the reason is 1,234 characters long; at most 1,000 are allowed');
      expect(error.details).toEqual({ length: 1_234, max: 1_000 });
    },
  );

  it('measures the reason trimmed', () => {
    expect(checkRequest(ask({ reason: `  ${'z'.repeat(MAX_REASON_LENGTH)}  \n` })).reason).toHaveLength(
      MAX_REASON_LENGTH,
    );
  });
});

describe('checkRequest: tickets', () => {
  const ticketed = workflow({ access: { ticketPattern: TICKETS } });

  it.each([
    ['a ticket as its own word', 'fix replication INC-42', undefined, 'INC-42'],
    ['a ticket first', 'CHG-7 rotate keys', undefined, 'CHG-7'],
    ['a ticket with a trailing comma', 'INC-42, replication lag', undefined, 'INC-42'],
    ['a ticket with a trailing full stop', 'replication lag per INC-42.', undefined, 'INC-42'],
    ['a ticket in parentheses', 'replication lag (INC-42)', undefined, 'INC-42'],
    ['a ticket followed by a colon', 'INC-42: replication lag', undefined, 'INC-42'],
    ['a ticket with a semicolon', 'see INC-42; and more', undefined, 'INC-42'],
    ['the first of two tickets', 'INC-1 then CHG-2', undefined, 'INC-1'],
    ['an explicit ticket', 'replication lag', 'CHG-99', 'CHG-99'],
    ['an explicit ticket over one in the reason', 'per INC-1', ' CHG-99 ', 'CHG-99'],
    ['a wrong explicit ticket but a good one in the reason', 'per INC-1', 'JIRA-5', 'INC-1'],
  ])('finds %s', (_label, reason, ticket, found) => {
    expect(checkRequest(ask({ workflow: ticketed, reason, ticket })).ticket).toBe(found);
  });

  it.each([
    ['no ticket at all', 'fix replication'],
    ['a ticket glued to a word', 'fixINC-42'],
    ['a lower-case ticket', 'per inc-42'],
    ['a ticket with no number', 'per INC-'],
    ['a ticket of another tracker', 'per JIRA-42'],
  ])('refuses a reason with %s and shows the pattern', (_label, reason) => {
    const error = thrown(() => checkRequest(ask({ workflow: ticketed, reason })));
    expect(error.code).toBe('ticket_required');
    expect(error.message).toBe(
      'a ticket matching ^(INC|CHG)-[0-9]+$ is required for access to prod-db; put it in the reason',
    );
    expect(error.details).toEqual({ target: 'prod-db', pattern: TICKETS });
  });

  it('names a wrong explicit ticket in the message', () => {
    const error = thrown(() => checkRequest(ask({ workflow: ticketed, reason: 'fix replication', ticket: 'JIRA-5' })));
    expect(error.code).toBe('ticket_required');
    expect(error.message).toBe(
      'a ticket matching ^(INC|CHG)-[0-9]+$ is required for access to prod-db ("JIRA-5" does not match); put it in the reason',
    );
  });

  it('requires a ticket on breakglass requests too', () => {
    const error = thrown(() => checkRequest(ask({ workflow: ticketed, kind: 'breakglass', reason: 'db down' })));
    expect(error.message).toBe(
      'a ticket matching ^(INC|CHG)-[0-9]+$ is required for breakglass access to prod-db; put it in the reason',
    );
  });

  it('returns an explicit ticket untested when the workflow has no pattern, and none when none was given', () => {
    expect(checkRequest(ask({ ticket: ' anything-1 ' })).ticket).toBe('anything-1');
    expect(checkRequest(ask({ ticket: '' }))).toEqual({ durationMs: 30 * MINUTE, reason: 'fix replication' });
  });

  it('reports a ticket pattern that is not a regular expression as workflow_invalid', () => {
    const broken = workflow({ access: { ticketPattern: '(INC' } });
    const error = thrown(() => checkRequest(ask({ workflow: broken, reason: 'INC-1' })));
    expect(error.code).toBe('workflow_invalid');
    expect(error.message).toBe('workflows/production.yml: access.ticket_pattern (INC is not a regular expression');
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });
});

describe('checkRequest: kinds', () => {
  it.each([
    ['breakglass', { breakglass: null }, 'breakglass_not_allowed'],
    ['breakglass', { breakglass: { allowed: false } }, 'breakglass_not_allowed'],
    ['vendor', { vendor: null }, 'vendor_not_allowed'],
    ['vendor', { vendor: { allowed: false } }, 'vendor_not_allowed'],
  ] as const)('refuses a %s request when the workflow has %j', (kind, overrides, code) => {
    // Checked before anything else: a bad duration would only distract from the real refusal.
    const error = thrown(() => checkRequest(ask({ workflow: workflow(overrides), kind, duration: 'nonsense' })));
    expect(error.code).toBe(code);
  });

  it('returns everything that was checked for an accepted request', () => {
    const wf = workflow({ access: { ticketPattern: TICKETS } });
    expect(
      checkRequest(ask({ workflow: wf, kind: 'vendor', duration: '2h', reason: ' upgrade firmware (CHG-12) ' })),
    ).toEqual({
      durationMs: 2 * HOUR,
      reason: 'upgrade firmware (CHG-12)',
      ticket: 'CHG-12',
    });
  });
});

describe('autoApproveDuration', () => {
  it.each([
    [30 * MINUTE, HOUR, 30 * MINUTE],
    [HOUR, HOUR, HOUR],
    [4 * HOUR, HOUR, HOUR],
  ])('grants %d ms asked under a %d ms cap as %d ms', (requested, cap, granted) => {
    expect(autoApproveDuration(requested, cap)).toBe(granted);
  });
});
