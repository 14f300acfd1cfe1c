import type { GrantRequestBody } from './grant-request.js';

/*
 * The certificate's key id is what sshd logs at every login ("… ID <key id> (serial N) CA …"), so
 * it says whose certificate it is. It starts with the grant id, which is how the broker ties a
 * live session to its grant (sshd-login-claims.ts); a vendor's adds the vendor and the sponsor,
 * so a bastion's log names the outsider and who let them in without a look-up.
 */

/**
 * `grant_…` for a person's grant; `grant_… vendor=<email> sponsor=<Slack user ID>` for a vendor's
 * (each part only when the body gives it; Jumpgate always gives both).
 */
export function certificateKeyId(body: GrantRequestBody): string {
  const { subject } = body;
  if (subject.type !== 'vendor') return body.id;
  // grant-request.ts holds the email and sponsor to alphabets without spaces, quotes or "=".
  const parts = [
    body.id,
    ...(subject.email === undefined ? [] : [`vendor=${subject.email}`]),
    ...(subject.sponsor === undefined ? [] : [`sponsor=${subject.sponsor}`]),
  ];
  return parts.join(' ');
}

/** A vendor's certificate is restricted whichever of the kind and the subject says vendor. */
export function isVendorGrant(body: GrantRequestBody): boolean {
  return body.kind === 'vendor' || body.subject.type === 'vendor';
}

/** The grant id a key id starts with (grant ids have no spaces). */
export function grantIdOfKeyId(keyId: string): string {
  return keyId.split(' ', 1)[0] ?? keyId;
}
