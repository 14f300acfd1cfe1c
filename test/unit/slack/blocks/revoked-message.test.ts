import { describe, expect, it } from 'vitest';
import { revokedMessage } from '../../../../src/slack/blocks/revoked-message.js';
import { accessRequest } from '../../../support/builders.js';
import { grant, MINUTE, T0 } from '../../../support/slack-builders.js';

describe('revokedMessage', () => {
  it('confirms the holder ended their own grant', () => {
    const request = accessRequest({
      status: 'revoked',
      requester: 'U0ALICE',
      grant: grant({ id: 'grant_abc' }),
      revocation: { by: 'U0ALICE', at: T0 + 10 * MINUTE },
    });
    expect(revokedMessage(request).text).toBe(
      'Revoked `grant_abc` (prod-db) at <!date^1800000600^{date_short_pretty} {time}|2027-01-15 08:10 UTC>: bastions refuse the certificate within ~30 s.',
    );
  });

  it('names the holder when an approver revoked someone else’s grant', () => {
    const request = accessRequest({
      status: 'revoked',
      requester: 'U0ALICE',
      grant: grant({ id: 'grant_abc' }),
      revocation: { by: 'U0LEAD', at: T0 },
    });
    expect(revokedMessage(request).text).toContain('Revoked `grant_abc` (prod-db), held by <@U0ALICE>, at ');
  });

  it('says plainly when the grant had already expired', () => {
    const request = accessRequest({ status: 'expired', grant: grant({ id: 'grant_abc' }) });
    expect(revokedMessage(request).text).toBe(
      '`grant_abc` (prod-db) had already expired at <!date^1800001860^{date_short_pretty} {time}|2027-01-15 08:31 UTC>: the access has ended.',
    );
  });
});
