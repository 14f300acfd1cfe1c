import { createHash } from 'node:crypto';
import { parseSshPublicKey } from '../../../domain/ssh-public-key.js';
import type { ServiceDeps } from '../../deps.js';

export interface RegisteredKey {
  readonly type: string;
  readonly bits?: number;
  /** `SHA256:…`, as `ssh-keygen -l` prints it. */
  readonly fingerprint: string;
}

/**
 * `/jump key <ssh-public-key>`: validates and stores the caller's public key; certificates are
 * issued for it. Throws `invalid_ssh_key` (the message says why and what is accepted).
 */
export function createRegisterKey(deps: Pick<ServiceDeps, 'store'>) {
  return async function registerKey(input: { userId: string; text: string }): Promise<RegisteredKey> {
    const key = parseSshPublicKey(input.text);
    const fingerprint = fingerprintOf(key.normalized);
    await deps.store.setSshKey(input.userId, key.normalized, {
      type: 'key_registered',
      requestId: null,
      actor: input.userId,
      target: null,
      detail: { keyType: key.type, fingerprint, ...(key.bits === undefined ? {} : { bits: key.bits }) },
    });
    return { type: key.type, fingerprint, ...(key.bits === undefined ? {} : { bits: key.bits }) };
  };
}

/** The SHA-256 fingerprint of a `type base64` key line. */
export function fingerprintOf(normalized: string): string {
  const blob = Buffer.from(normalized.split(' ')[1] ?? '', 'base64');
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}
