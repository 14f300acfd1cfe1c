import { z } from 'zod';
import { isJumpgateError } from '../../domain/errors.js';
import { parseSshPublicKey } from '../../domain/ssh-public-key.js';
import { BrokerHttpError, badRequest } from './http-error.js';

/**
 * The body of `POST /v1/grants` (docs/contracts/broker-api.md), including the later additions
 * `target.sourceAddress` and `options.allowPty`, and the alphabet of a vendor's email and sponsor. Everything that reaches ssh-keygen as an
 * argument is held to a strict alphabet here, so a value can never read as an option or split
 * into two (principals are comma-joined, the key id is the grant id).
 */
const name = z.string().min(1).max(200);
const grantId = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/,
    'letters, digits, ".", "_" or "-", at most 128, not starting with a symbol',
  );
const principal = z
  .string()
  .regex(/^[A-Za-z0-9_][A-Za-z0-9._@-]{0,63}$/, 'a user name (letters, digits, ".", "_", "@", "-")');
// What a vendor's key id carries (certificate-key-id.ts): no spaces, quotes, "=" or control characters.
const vendorEmail = z
  .string()
  .max(254)
  .regex(/^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,63}$/, 'an email address');
const sponsorId = z.string().regex(/^[A-Z0-9]{2,40}$/, 'a Slack user ID');
const cidr = z.string().regex(/^[0-9A-Fa-f.:]+(\/\d{1,3})?$/, 'an IP address or CIDR, e.g. 10.0.0.0/8');

export const grantRequestSchema = z.object({
  id: grantId,
  requestId: name,
  kind: z.enum(['standard', 'breakglass', 'vendor']),
  subject: z.object({
    type: z.enum(['user', 'vendor']),
    id: name.optional(),
    email: name.optional(),
    name: name.optional(),
    sponsor: name.optional(),
    sshPublicKey: z.string().min(1).max(16_384),
  }),
  target: z.object({
    name,
    hosts: z.array(name).max(256),
    principals: z.array(principal).min(1).max(64),
    sourceAddress: z.array(cidr).min(1).max(64).optional(),
  }),
  notAfter: z.iso.datetime({ error: 'an ISO 8601 UTC time, e.g. 2030-01-01T12:00:00Z' }),
  reason: z.string().max(4_000),
  options: z.object({ allowPty: z.boolean().optional() }).optional(),
});

/**
 * A new grant's body: the stored grants are read back with `grantRequestSchema` alone, so a grant
 * issued before these checks existed still loads. A vendor subject's email and sponsor go into
 * the certificate's key id (certificate-key-id.ts), which sshd logs: when given, they keep to an
 * alphabet without spaces, quotes or "=".
 */
const newGrantRequestSchema = grantRequestSchema.superRefine((body, ctx) => {
  if (body.subject.type !== 'vendor') return;
  const { email, sponsor } = body.subject;
  if (email !== undefined && !vendorEmail.safeParse(email).success) {
    ctx.addIssue({ code: 'custom', path: ['subject', 'email'], message: 'an email address (no spaces or quotes)' });
  }
  if (sponsor !== undefined && !sponsorId.safeParse(sponsor).success) {
    ctx.addIssue({ code: 'custom', path: ['subject', 'sponsor'], message: 'a Slack user ID' });
  }
});

export type GrantRequestBody = z.output<typeof grantRequestSchema>;

/**
 * Parses and checks the JSON body. The public key is normalized (`type base64`) and options get
 * their defaults, so a retry that differs only in a key comment is the same request. Throws 400
 * naming the field.
 */
export function parseGrantRequest(json: unknown): GrantRequestBody {
  const result = newGrantRequestSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'body';
    throw badRequest(`${where}: ${issue?.message ?? 'invalid'}`);
  }
  const body = result.data;
  try {
    const key = parseSshPublicKey(body.subject.sshPublicKey);
    return {
      ...body,
      subject: { ...body.subject, sshPublicKey: key.normalized },
      options: { allowPty: body.options?.allowPty ?? false },
    };
  } catch (error) {
    if (isJumpgateError(error, 'invalid_ssh_key')) throw new BrokerHttpError(400, 'invalid_ssh_key', error.message);
    throw error;
  }
}

/**
 * What defines a grant, as canonical JSON: two bodies with the same id ask for the same grant
 * exactly when these are equal. The requester's name and email and the reason are left out:
 * the bot reads them again from Slack on a retry, and a changed display name must not turn the
 * retry into a conflict (the certificate would be the same one).
 */
export function grantIdentity(body: GrantRequestBody): string {
  const { subject, target } = body;
  return canonicalJson({
    kind: body.kind,
    requestId: body.requestId,
    subject: {
      type: subject.type,
      id: subject.id,
      sponsor: subject.sponsor,
      // A vendor's email is in the certificate's key id, so another email is another certificate.
      email: subject.type === 'vendor' ? subject.email : undefined,
      sshPublicKey: subject.sshPublicKey,
    },
    target: {
      name: target.name,
      hosts: target.hosts,
      principals: target.principals,
      sourceAddress: target.sourceAddress,
    },
    // The instant, not its spelling: `…:00Z` and `…:00.000Z` are the same end.
    notAfterMs: Date.parse(body.notAfter),
    options: { allowPty: body.options?.allowPty ?? false },
  });
}

/** Canonical JSON (sorted keys): two bodies asking for the same grant compare equal. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
