import type { AccessRequest } from './access-request.js';
import { JumpgateError } from './errors.js';
import type { Member } from './people.js';
import type { RequestKind } from './request-kind.js';
import { canSponsor, type RequestableTarget } from './requestable-targets.js';
import { parseSshPublicKey, type SshPublicKey } from './ssh-public-key.js';
import type { Policy, Target, Workflow } from './workflow.js';

/*
 * The rules of a vendor session that are not rules of every request: who may sponsor one, what
 * the sponsor must say about the vendor (email, name, public key), and what the certificate is
 * for (the workflow's vendor principals, never the target's).
 */

/** The longest vendor email and name a request takes (they go into messages, records and the key id). */
export const MAX_VENDOR_EMAIL = 254;
export const MAX_VENDOR_NAME = 200;

// Deliberately strict: the email goes into the certificate's key id and sshd's log, so it keeps
// to the characters of ordinary addresses (no spaces, quotes or control characters).
const EMAIL = /^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,63}$/;

/** The principals a grant of `kind` is for: the workflow's vendor principals for a vendor session. */
export function grantPrincipals(workflow: Workflow, target: Target, kind: RequestKind): readonly string[] {
  return kind === 'vendor' && workflow.vendor ? workflow.vendor.principals : target.principals;
}

/**
 * The `source-address` of a grant's certificate, if any: a vendor session's comes from
 * `vendor.source_address` when the workflow sets one, else (like every grant's) from the target.
 */
export function grantSourceAddress(
  workflow: Workflow,
  target: Target,
  kind: RequestKind,
): readonly string[] | undefined {
  if (kind === 'vendor' && workflow.vendor?.sourceAddress) return workflow.vendor.sourceAddress;
  return target.sourceAddress;
}

/**
 * The target called `name` when `member` may sponsor vendor sessions on it. Throws, in this order:
 * - `unknown_target` when no workflow defines it (the message lists what the member may sponsor);
 * - `vendor_not_allowed` when its workflow does not allow vendor sessions (same list);
 * - `not_a_sponsor` when the member is not in its `vendor.sponsors`; details carry `sponsors`
 *   ({users, groups}) so the message can say who may sponsor.
 */
export function findVendorTarget(policy: Policy, name: string, member: Member): RequestableTarget {
  const wanted = name.trim();
  const found = policy.targets.get(wanted);
  const sponsored = [...policy.targets.values()]
    .filter(({ workflow }) => canSponsor(workflow, member))
    .map(({ target }) => target.name)
    .sort();
  const instead =
    sponsored.length > 0 ? `you may sponsor vendors on: ${sponsored.join(', ')}` : 'you sponsor vendors on no target';
  if (found === undefined) {
    throw new JumpgateError('unknown_target', `there is no target "${wanted}" (${instead})`, {
      details: { target: wanted, allowed: sponsored },
    });
  }
  const { workflow } = found;
  if (!workflow.vendor?.allowed) {
    throw new JumpgateError(
      'vendor_not_allowed',
      `vendor sessions are not allowed on ${wanted}: its workflow ${workflow.name} does not allow vendors (${instead})`,
      { details: { target: wanted, workflow: workflow.name, allowed: sponsored } },
    );
  }
  if (!canSponsor(workflow, member)) {
    const { users, groups } = workflow.vendor.sponsors;
    throw new JumpgateError(
      'not_a_sponsor',
      `you are not a vendor sponsor for ${wanted}; only the sponsors of ${workflow.name} may request a vendor session there`,
      { details: { target: wanted, workflow: workflow.name, sponsors: { users: [...users], groups: [...groups] } } },
    );
  }
  return found;
}

/** The vendor's email, trimmed. Throws `invalid_email` saying what an address looks like. */
export function checkVendorEmail(text: string): string {
  const email = text.trim();
  if (email.length > MAX_VENDOR_EMAIL || !EMAIL.test(email)) {
    const shown = email.length > 80 ? `${email.slice(0, 80)}…` : email;
    throw new JumpgateError(
      'invalid_email',
      `"${shown}" is not a vendor email address; give the vendor's own address, like jane@vendor.example`,
      { details: { email: shown } },
    );
  }
  return email;
}

export interface VendorDetails {
  /** The vendor's name and company as the sponsor typed it, trimmed. */
  readonly name: string;
  readonly key: SshPublicKey;
}

/**
 * What the sponsor says about the vendor in the modal. Throws, in this order:
 * - `vendor_name_required` when the name is empty or over MAX_VENDOR_NAME characters;
 * - `invalid_ssh_key` when the key is not one we accept (a private key pasted by mistake
 *   included, see `parseSshPublicKey`), or is the sponsor's own registered key: the certificate
 *   must be for a key only the vendor holds, or the audit trail would name the wrong person.
 */
export function checkVendorDetails(input: {
  readonly name: string;
  readonly sshPublicKey: string;
  /** The sponsor's registered key, if any. */
  readonly sponsorKey: string | undefined;
}): VendorDetails {
  const name = input.name.trim();
  if (name === '' || [...name].length > MAX_VENDOR_NAME) {
    throw new JumpgateError(
      'vendor_name_required',
      name === ''
        ? "the vendor's name and company are required (e.g. Jane Doe, Acme Support)"
        : `the vendor's name is too long; at most ${MAX_VENDOR_NAME} characters`,
      { details: { max: MAX_VENDOR_NAME } },
    );
  }
  const key = parseSshPublicKey(input.sshPublicKey);
  if (input.sponsorKey !== undefined && keyBody(input.sponsorKey) === key.normalized) {
    throw new JumpgateError(
      'invalid_ssh_key',
      "this is your own registered SSH key; paste the vendor's public key (the vendor sends you their .pub file)",
      { details: { reason: 'sponsor_key' } },
    );
  }
  return { name, key };
}

/** How audit records and the broker name the vendor of a vendor session. */
export interface VendorSubject {
  readonly type: 'vendor';
  readonly email: string;
  readonly name?: string;
  /** Slack user ID of the sponsor. */
  readonly sponsor: string;
}

/** The vendor subject of a vendor session; undefined for any other request. */
export function vendorSubject(request: Pick<AccessRequest, 'vendor' | 'requester'>): VendorSubject | undefined {
  const { vendor } = request;
  if (!vendor) return undefined;
  return {
    type: 'vendor',
    email: vendor.email,
    ...(vendor.name === undefined ? {} : { name: vendor.name }),
    sponsor: request.requester,
  };
}

/** `type base64` of an OpenSSH key line: the comment does not make another key. */
export function keyBody(line: string): string {
  return line.trim().split(/\s+/).slice(0, 2).join(' ');
}
