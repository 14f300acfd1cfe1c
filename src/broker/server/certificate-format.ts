import { createPrivateKey, type KeyObject, randomBytes, sign } from 'node:crypto';
import { string, u32, u64 } from './ssh-wire.js';

/**
 * OpenSSH user certificates (PROTOCOL.certkeys) signed in this process by an Ed25519 CA. Signing
 * with `ssh-keygen -s` costs a child process per grant (40-80 ms on a busy 2-core machine, most
 * of a grant's time at the broker); this is the same bytes without it.
 */
export interface CertificateFields {
  /** The user's public key line, `type base64` (validated by parseSshPublicKey). */
  readonly publicKey: string;
  readonly keyId: string;
  readonly principals: readonly string[];
  readonly serial: bigint;
  readonly validAfterSeconds: bigint;
  readonly validBeforeSeconds: bigint;
  readonly criticalOptions: Readonly<Record<string, string>>;
  /** Names of the extensions granted (flags, no data). */
  readonly extensions: readonly string[];
}

export interface Ed25519Ca {
  /** The CA's public key blob (`string "ssh-ed25519", string pk`): the certificate's signature key. */
  readonly publicBlob: Buffer;
  readonly privateKey: KeyObject;
}

const SSH_CERT_TYPE_USER = 1;
/** What `ssh-keygen -s` grants when no -O option is given. */
export const DEFAULT_EXTENSIONS = [
  'permit-X11-forwarding',
  'permit-agent-forwarding',
  'permit-port-forwarding',
  'permit-pty',
  'permit-user-rc',
];

/**
 * The certificate line, `<type>-cert-v01@openssh.com base64 comment`. Like `ssh-keygen -s`, it
 * always has a comment (the key's own, else the key id), so the file says what it certifies.
 */
export function signCertificate(ca: Ed25519Ca, fields: CertificateFields): string {
  const [keyType = '', base64 = '', ...comment] = fields.publicKey.trim().split(/\s+/);
  const keyBlob = Buffer.from(base64, 'base64');
  // The certificate carries the key's own fields, in the key blob's order, after its type name.
  const keyFields = keyBlob.subarray(4 + keyBlob.readUInt32BE(0));
  const certType = keyType.endsWith('@openssh.com')
    ? keyType.replace('@openssh.com', '-cert-v01@openssh.com')
    : `${keyType}-cert-v01@openssh.com`;
  const body = Buffer.concat([
    string(certType),
    string(randomBytes(32)),
    keyFields,
    u64(fields.serial),
    u32(SSH_CERT_TYPE_USER),
    string(fields.keyId),
    string(Buffer.concat(fields.principals.map((principal) => string(principal)))),
    u64(fields.validAfterSeconds),
    u64(fields.validBeforeSeconds),
    // OpenSSH wants both lists in lexical order; an option's data is itself a string.
    string(
      Buffer.concat(
        Object.keys(fields.criticalOptions)
          .sort()
          .map((name) => Buffer.concat([string(name), string(string(fields.criticalOptions[name]))])),
      ),
    ),
    string(Buffer.concat([...fields.extensions].sort().map((name) => Buffer.concat([string(name), string('')])))),
    string(''),
    string(ca.publicBlob),
  ]);
  const signature = Buffer.concat([string('ssh-ed25519'), string(sign(null, body, ca.privateKey))]);
  const line = `${certType} ${Buffer.concat([body, string(signature)]).toString('base64')}`;
  return `${line} ${comment.length > 0 ? comment.join(' ') : fields.keyId}`;
}

/** Reads an unencrypted Ed25519 key in OpenSSH's private key format (what `ssh-keygen -t ed25519 -N ''` writes). */
export function readEd25519Ca(pem: string): Ed25519Ca {
  const base64 = pem.replace(/-----(BEGIN|END) OPENSSH PRIVATE KEY-----/g, '').replace(/\s+/g, '');
  const data = Buffer.from(base64, 'base64');
  const magic = Buffer.from('openssh-key-v1\0', 'latin1');
  if (!data.subarray(0, magic.length).equals(magic)) throw new Error('the CA key is not in OpenSSH private key format');
  const wire = new Reader(data.subarray(magic.length));
  const cipher = wire.string().toString();
  wire.string(); // kdf name
  wire.string(); // kdf options
  if (cipher !== 'none') throw new Error('the CA key is encrypted; the broker needs it without a passphrase');
  if (wire.u32() !== 1) throw new Error('the CA key file holds more than one key');
  const publicBlob = wire.string();
  const secret = new Reader(wire.string());
  if (secret.u32() !== secret.u32()) throw new Error('the CA key file is corrupt (check bytes differ)');
  if (secret.string().toString() !== 'ssh-ed25519') throw new Error('the CA key is not an Ed25519 key');
  const pk = secret.string();
  const sk = secret.string();
  if (pk.length !== 32 || sk.length !== 64) throw new Error('the CA key file is corrupt (Ed25519 key sizes)');
  const privateKey = createPrivateKey({
    key: { kty: 'OKP', crv: 'Ed25519', d: sk.subarray(0, 32).toString('base64url'), x: pk.toString('base64url') },
    format: 'jwk',
  });
  return { publicBlob, privateKey };
}

class Reader {
  private offset = 0;
  constructor(private readonly data: Buffer) {}

  u32(): number {
    if (this.offset + 4 > this.data.length) throw new Error('the CA key file is truncated');
    const value = this.data.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  string(): Buffer {
    const length = this.u32();
    if (this.offset + length > this.data.length) throw new Error('the CA key file is truncated');
    const value = this.data.subarray(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }
}
