import { describe, expect, it } from 'vitest';
import { sshTime } from '../../../src/broker/server/certificate-authority.js';
import { certificateKeyId, grantIdOfKeyId, isVendorGrant } from '../../../src/broker/server/certificate-key-id.js';
import { canonicalJson, parseGrantRequest } from '../../../src/broker/server/grant-request.js';
import { BrokerHttpError } from '../../../src/broker/server/http-error.js';
import { grantBody } from '../../support/broker-fakes.js';

/** 32 zero bytes as an Ed25519 key: structurally valid, which is all the parser checks. */
const KEY = `ssh-ed25519 ${Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), Buffer.from([0, 0, 0, 32]), Buffer.alloc(32)]).toString('base64')}`;

function body(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const { options: _options, ...rest } = grantBody({ subject: { type: 'user', sshPublicKey: `${KEY} me@laptop` } });
  return { ...rest, ...overrides };
}

function refusal(json: unknown): BrokerHttpError {
  try {
    parseGrantRequest(json);
  } catch (error) {
    if (error instanceof BrokerHttpError) return error;
    throw error;
  }
  throw new Error('accepted');
}

describe('POST /v1/grants body', () => {
  it('normalizes the key (no comment) and fills in the options, so retries compare equal', () => {
    const parsed = parseGrantRequest(body());
    expect(parsed.subject.sshPublicKey).toBe(KEY);
    expect(parsed.options).toEqual({ allowPty: false });
    expect(canonicalJson(parsed)).toBe(canonicalJson(parseGrantRequest({ ...body(), options: {} })));
  });

  it('names the field that is wrong', () => {
    expect(refusal(body({ notAfter: 'tomorrow' }))).toEqual(
      new BrokerHttpError(400, 'invalid_request', 'notAfter: an ISO 8601 UTC time, e.g. 2030-01-01T12:00:00Z'),
    );
    expect(refusal(body({ target: { name: 'db', hosts: [], principals: [] } })).message).toMatch(
      /^target\.principals: /,
    );
    expect(refusal(body({ kind: 'root' })).message).toMatch(/^kind: /);
    expect(refusal(null).message).toMatch(/^body: /);
  });

  it('keeps anything that reaches ssh-keygen to a safe alphabet', () => {
    expect(refusal(body({ id: '-O permit-X11-forwarding' })).message).toMatch(/^id: letters, digits/);
    expect(refusal(body({ target: { name: 'db', hosts: [], principals: ['root,admin'] } })).message).toBe(
      'target.principals.0: a user name (letters, digits, ".", "_", "@", "-")',
    );
    expect(
      refusal(body({ target: { name: 'db', hosts: [], principals: ['ok'], sourceAddress: ['0.0.0.0/0,evil'] } }))
        .message,
    ).toBe('target.sourceAddress.0: an IP address or CIDR, e.g. 10.0.0.0/8');
  });

  it('answers a bad key with 400 invalid_ssh_key and the validator message', () => {
    const error = refusal(body({ subject: { type: 'user', sshPublicKey: 'ssh-dss AAAA' } }));
    expect(error.status).toBe(400);
    expect(error.code).toBe('invalid_ssh_key');
    expect(error.message).toMatch(/^DSA keys are refused/);
  });
});

describe('ssh-keygen validity times', () => {
  it('are UTC with a Z suffix, to the second', () => {
    expect(sshTime(Date.parse('2030-01-02T03:04:05.678Z'))).toBe('20300102030405Z');
  });
});

describe('vendor grants', () => {
  const vendor = (subject: Record<string, unknown>, kind = 'vendor') =>
    body({ kind, subject: { type: 'vendor', sshPublicKey: KEY, ...subject } });

  it('take a vendor subject with an email and a sponsor, and name both in the key id', () => {
    const parsed = parseGrantRequest(vendor({ email: 'jane@acme.example', name: 'Jane "Doe"', sponsor: 'U0ALICE' }));
    expect(certificateKeyId(parsed)).toBe(`${parsed.id} vendor=jane@acme.example sponsor=U0ALICE`);
    expect(grantIdOfKeyId(certificateKeyId(parsed))).toBe(parsed.id);
    expect(certificateKeyId(parseGrantRequest(body()))).toBe(body().id);
  });

  it('are restricted whichever of the kind and the subject says vendor; the key id names what is given', () => {
    const kindOnly = parseGrantRequest(body({ kind: 'vendor' }));
    expect(isVendorGrant(kindOnly)).toBe(true);
    const subjectOnly = parseGrantRequest(vendor({ email: 'jane@acme.example' }, 'standard'));
    expect(isVendorGrant(subjectOnly)).toBe(true);
    expect(certificateKeyId(subjectOnly)).toBe(`${subjectOnly.id} vendor=jane@acme.example`);
    expect(isVendorGrant(parseGrantRequest(body()))).toBe(false);
  });

  it('keep the key id to a safe alphabet: no spaces or quotes in the email, a Slack id as sponsor', () => {
    expect(refusal(vendor({ email: 'jane doe@acme.example', sponsor: 'U0ALICE' })).message).toBe(
      'subject.email: an email address (no spaces or quotes)',
    );
    expect(refusal(vendor({ email: 'jane@acme.example', sponsor: 'U0ALICE (serial 1) CA' })).message).toBe(
      'subject.sponsor: a Slack user ID',
    );
  });
});
