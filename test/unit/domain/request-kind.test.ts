import { describe, expect, it } from 'vitest';
import { kindLimits } from '../../../src/domain/request-kind.js';
import { HOUR, MINUTE, workflow } from '../../support/policy-builders.js';
import { thrown } from './thrown.js';

describe('kindLimits', () => {
  const wf = workflow({
    access: { defaultDuration: 45 * MINUTE, maxDuration: 4 * HOUR, requireReason: false },
    breakglass: { maxDuration: HOUR },
    vendor: { maxDuration: 2 * HOUR },
  });

  it('gives standard requests the access rules', () => {
    expect(kindLimits(wf, 'standard', 'prod-db')).toEqual({
      kind: 'standard',
      maxDuration: 4 * HOUR,
      defaultDuration: 45 * MINUTE,
      requireReason: false,
      description: 'access to prod-db',
    });
  });

  it('gives breakglass its whole maximum by default and always asks for a reason', () => {
    expect(kindLimits(wf, 'breakglass', 'prod-db')).toEqual({
      kind: 'breakglass',
      maxDuration: HOUR,
      defaultDuration: HOUR,
      requireReason: true,
      description: 'breakglass access to prod-db',
    });
  });

  it('gives vendor sessions the access default, capped by the vendor maximum, and always asks for a reason', () => {
    expect(kindLimits(wf, 'vendor', 'prod-db')).toMatchObject({
      maxDuration: 2 * HOUR,
      defaultDuration: 45 * MINUTE,
      requireReason: true,
    });
    const short = workflow({ access: { defaultDuration: 45 * MINUTE }, vendor: { maxDuration: 10 * MINUTE } });
    expect(kindLimits(short, 'vendor', 'prod-db').defaultDuration).toBe(10 * MINUTE);
  });

  it.each([[{ breakglass: null }], [{ breakglass: { allowed: false } }]])(
    'refuses breakglass with breakglass_not_allowed and says what to do instead (%j)',
    (overrides) => {
      const error = thrown(() => kindLimits(workflow(overrides), 'breakglass', 'prod-db'));
      expect(error.code).toBe('breakglass_not_allowed');
      expect(error.message).toBe(
        'breakglass access is not allowed for prod-db; make a normal request and its approvers will be asked',
      );
      expect(error.details).toEqual({ target: 'prod-db', workflow: 'production' });
    },
  );

  it.each([[{ vendor: null }], [{ vendor: { allowed: false } }]])(
    'refuses vendor sessions with vendor_not_allowed (%j)',
    (overrides) => {
      const error = thrown(() => kindLimits(workflow(overrides), 'vendor', 'prod-db'));
      expect(error.code).toBe('vendor_not_allowed');
      expect(error.message).toBe(
        'vendor sessions are not allowed for prod-db; only targets whose workflow allows vendors can take them',
      );
    },
  );
});
