import { randomInt } from 'node:crypto';

// No 0/o, 1/l/i: people read these ids aloud and type them into /jump revoke.
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** A new request id, `req_` and 10 characters (about 49 bits): short enough to type. */
export function newRequestId(): string {
  let id = '';
  for (let i = 0; i < 10; i += 1) id += ALPHABET[randomInt(ALPHABET.length)];
  return `req_${id}`;
}

/**
 * The request id a grant id or request id names (`/jump revoke` takes either). An extended
 * grant's id names its window (`grant_x_2`): it is the same request.
 */
export function requestIdOf(grantOrRequestId: string): string {
  if (!grantOrRequestId.startsWith('grant_')) return grantOrRequestId;
  return `req_${grantOrRequestId.slice('grant_'.length).replace(/_\d+$/, '')}`;
}
