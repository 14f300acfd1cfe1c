import { describe, expect, it } from 'vitest';
import {
  checkVendorDetails,
  checkVendorEmail,
  findVendorTarget,
  grantPrincipals,
  grantSourceAddress,
  vendorSubject,
} from '../../../src/domain/vendor-session.js';
import { member, policy, target, workflow } from '../../support/policy-builders.js';
import { thrown } from './thrown.js';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGy8kC8ex5zG6hZ0Ok3bJkS4w7O3XnE9tP1rJw2m8Q1a jane@acme';
const SPONSOR_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE1y8kC8ex5zG6hZ0Ok3bJkS4w7O3XnE9tP1rJw2m8Q1 alice@laptop';
const GW = { ...target('vendor-gw'), sourceAddress: ['10.0.0.0/8'] };
const POLICY = policy(
  workflow({ name: 'vendor-support', targets: [GW], vendor: { sponsors: { users: ['U0ALICE'], groups: ['S0MGR'] } } }),
  workflow({ name: 'production', targets: ['prod-db'], vendor: null }),
);

describe('findVendorTarget', () => {
  it('finds the target for a sponsor listed by id or through a group', () => {
    expect(findVendorTarget(POLICY, ' vendor-gw ', member('U0ALICE')).target.name).toBe('vendor-gw');
    expect(findVendorTarget(POLICY, 'vendor-gw', member('U0BOB', 'S0MGR')).target.name).toBe('vendor-gw');
  });

  it('refuses, in order: an unknown target, a workflow without vendors, a non-sponsor', () => {
    const unknown = thrown(() => findVendorTarget(POLICY, 'nope', member('U0ALICE')));
    expect(unknown.code).toBe('unknown_target');
    expect(unknown.message).toBe('there is no target "nope" (you may sponsor vendors on: vendor-gw)');
    const closed = thrown(() => findVendorTarget(POLICY, 'prod-db', member('U0ALICE')));
    expect(closed.code).toBe('vendor_not_allowed');
    expect(closed.message).toBe(
      'vendor sessions are not allowed on prod-db: its workflow production does not allow vendors (you may sponsor vendors on: vendor-gw)',
    );
    const outsider = thrown(() => findVendorTarget(POLICY, 'vendor-gw', member('U0EVE')));
    expect(outsider.code).toBe('not_a_sponsor');
    expect(outsider.details.sponsors).toEqual({ users: ['U0ALICE'], groups: ['S0MGR'] });
  });
});

describe('checkVendorEmail', () => {
  it('trims a plain address', () => {
    expect(checkVendorEmail('  jane.doe+support@acme.example ')).toBe('jane.doe+support@acme.example');
  });

  it.each(['jane', 'jane@acme', 'jane doe@acme.example', 'jane@acme.example"x', `${'a'.repeat(250)}@acme.example`])(
    'refuses %s',
    (email) => {
      expect(thrown(() => checkVendorEmail(email)).code).toBe('invalid_email');
    },
  );
});

describe('checkVendorDetails', () => {
  it('keeps the trimmed name and the normalized key', () => {
    const details = checkVendorDetails({ name: ' Jane Doe, Acme ', sshPublicKey: KEY, sponsorKey: SPONSOR_KEY });
    expect(details.name).toBe('Jane Doe, Acme');
    expect(details.key.normalized).toBe(KEY.split(' ').slice(0, 2).join(' '));
  });

  it('refuses no name, a private key and the sponsor’s own key (whatever its comment)', () => {
    expect(thrown(() => checkVendorDetails({ name: ' ', sshPublicKey: KEY, sponsorKey: undefined })).code).toBe(
      'vendor_name_required',
    );
    const pasted = thrown(() =>
      checkVendorDetails({
        name: 'Jane',
        sshPublicKey:
          '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----',
        sponsorKey: undefined,
      }),
    );
    expect(pasted.code).toBe('invalid_ssh_key');
    expect(pasted.message).toContain('PRIVATE key');
    const own = thrown(() =>
      checkVendorDetails({
        name: 'Jane',
        sshPublicKey: `${SPONSOR_KEY.split(' ').slice(0, 2).join(' ')} other`,
        sponsorKey: SPONSOR_KEY,
      }),
    );
    expect(own.code).toBe('invalid_ssh_key');
    expect(own.details).toEqual({ reason: 'sponsor_key' });
  });
});

describe('what a vendor grant is for', () => {
  const wf = POLICY.targets.get('vendor-gw')!.workflow;

  it('uses the vendor principals, never the target’s', () => {
    expect(grantPrincipals(wf, GW, 'vendor')).toEqual(['vendor']);
    expect(grantPrincipals(wf, GW, 'standard')).toEqual(['ops']);
  });

  it('takes vendor.source_address over the target’s, and the target’s otherwise', () => {
    const restricted = workflow({ targets: [GW], vendor: { sourceAddress: ['203.0.113.0/24'] } });
    expect(grantSourceAddress(restricted, GW, 'vendor')).toEqual(['203.0.113.0/24']);
    expect(grantSourceAddress(restricted, GW, 'standard')).toEqual(['10.0.0.0/8']);
    expect(grantSourceAddress(wf, GW, 'vendor')).toEqual(['10.0.0.0/8']);
  });

  it('names the vendor and the sponsor as the subject', () => {
    expect(vendorSubject({ requester: 'U0ALICE', vendor: { email: 'jane@acme.example', name: 'Jane' } })).toEqual({
      type: 'vendor',
      email: 'jane@acme.example',
      name: 'Jane',
      sponsor: 'U0ALICE',
    });
    expect(vendorSubject({ requester: 'U0ALICE' })).toBeUndefined();
  });
});
