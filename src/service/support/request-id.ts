import { randomInt } from 'node:crypto';

// No 0/o, 1/l/i: people read these ids aloud and type them into /jump revoke.
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** A new request id, `req_` and 10 characters (about 49 bits): short enough to type. */
export function newRequestId(): string {
  let id = '';
  for (let i = 0; i < 10; i += 1) id += ALPHABET[randomInt(ALPHABET.length)];
  return `req_${id}`;
}

/** The request id a grant id or request id names (`/jump revoke` takes either). */
export function requestIdOf(grantOrRequestId: string): string {
  return grantOrRequestId.startsWith('grant_') ? `req_${grantOrRequestId.slice('grant_'.length)}` : grantOrRequestId;
}
