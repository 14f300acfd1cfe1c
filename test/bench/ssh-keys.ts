import { generateKeyPairSync } from 'node:crypto';

/**
 * A fresh Ed25519 public key line, as `ssh-keygen -t ed25519` writes it, made in-process: the
 * bench needs hundreds and only the public half (the bot never sees a private key).
 */
export function freshEd25519PublicKey(comment: string): string {
  const { publicKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' });
  if (typeof jwk.x !== 'string') throw new Error('Node returned an Ed25519 key without x');
  const raw = Buffer.from(jwk.x, 'base64url');
  const blob = Buffer.concat([sshString(Buffer.from('ssh-ed25519')), sshString(raw)]);
  return `ssh-ed25519 ${blob.toString('base64')} ${comment}`;
}

/** RFC 4251 `string`: a 32-bit big-endian length, then the bytes. */
function sshString(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}
