import { JumpgateError } from './errors.js';

/**
 * An OpenSSH public key line a person pasted (`/jump key`, the vendor modal) or the bot sent to
 * the broker, checked down to the wire blob: the key inside must be the type the line claims,
 * of a type we accept, and an RSA modulus must have at least 3072 bits.
 */
export interface SshPublicKey {
  readonly type: AcceptedKeyType;
  /** Key size: 256 for Ed25519, the curve size for ECDSA, the modulus length for RSA. */
  readonly bits?: number;
  /** `type base64`, without the comment: what certificates are made from and keys compared by. */
  readonly normalized: string;
  readonly comment?: string;
}

export const ACCEPTED_KEY_TYPES = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
  'ssh-rsa',
] as const;
export type AcceptedKeyType = (typeof ACCEPTED_KEY_TYPES)[number];

export const MIN_RSA_BITS = 3072;

export const SSH_KEY_HELP =
  'accepted: ssh-ed25519, ecdsa-sha2-nistp256/384/521, sk-ssh-ed25519@openssh.com, ' +
  `sk-ecdsa-sha2-nistp256@openssh.com, or ssh-rsa of at least ${MIN_RSA_BITS} bits ` +
  '(paste the one line of your .pub file, e.g. ~/.ssh/id_ed25519.pub)';

const MAX_LINE = 16_384;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const CURVES = { 'ecdsa-sha2-nistp256': 256, 'ecdsa-sha2-nistp384': 384, 'ecdsa-sha2-nistp521': 521 } as const;

/** Throws `invalid_ssh_key` saying why and what is accepted; never returns a key we would refuse. */
export function parseSshPublicKey(text: string): SshPublicKey {
  const input = text.trim();
  if (/PRIVATE KEY|PuTTY-User-Key-File/i.test(input)) {
    throw refuse('this looks like a PRIVATE key — never share it; paste the .pub file', 'private_key');
  }
  if (input === '') throw refuse('no SSH public key was given', 'empty');
  if (input.length > MAX_LINE) throw refuse('this is too long to be an SSH public key', 'too_long');
  if (input.startsWith('---- BEGIN SSH2 PUBLIC KEY')) {
    throw refuse('this is an RFC 4716 key; convert it to one OpenSSH line with "ssh-keygen -i -f <file>"', 'rfc4716');
  }
  if (/[\r\n]/.test(input)) throw refuse('paste exactly one key, on one line', 'multiple_lines');

  const [type = '', data = '', ...rest] = input.split(/[ \t]+/);
  const comment = rest.join(' ');
  if (type.includes('-cert-v01@openssh.com')) {
    throw refuse('this is a certificate, not a public key; paste the .pub file, not the -cert.pub file', 'certificate');
  }
  if (type === 'ssh-dss') throw refuse('DSA keys are refused (they are weak and OpenSSH has dropped them)', 'dsa');
  if (!isAccepted(type)) throw refuse(`"${clip(type)}" is not a key type we accept`, 'unknown_type');
  const blob = decodeBase64(data);
  if (blob === undefined) throw refuse(`the ${type} key data is not valid base64`, 'bad_base64');

  const bits = readKey(type, new WireReader(blob));
  if (type === 'ssh-rsa' && bits < MIN_RSA_BITS) {
    throw refuse(`this RSA key has ${bits} bits; RSA keys need at least ${MIN_RSA_BITS} bits`, 'rsa_too_small', {
      bits,
    });
  }
  return { type, bits, normalized: `${type} ${data}`, ...(comment === '' ? {} : { comment }) };
}

/** Reads the whole blob; returns the key size in bits. */
function readKey(type: AcceptedKeyType, wire: WireReader): number {
  const inner = wire.text();
  if (inner !== type)
    throw refuse(`the key data is a "${clip(inner ?? '')}" key, but the line says ${type}`, 'type_mismatch');
  let bits: number;
  switch (type) {
    case 'ssh-ed25519':
    case 'sk-ssh-ed25519@openssh.com':
      if (wire.bytes()?.length !== 32) throw corrupt(type);
      bits = 256;
      break;
    case 'ecdsa-sha2-nistp256':
    case 'ecdsa-sha2-nistp384':
    case 'ecdsa-sha2-nistp521':
    case 'sk-ecdsa-sha2-nistp256@openssh.com': {
      const curveType = type === 'sk-ecdsa-sha2-nistp256@openssh.com' ? 'ecdsa-sha2-nistp256' : type;
      bits = CURVES[curveType];
      if (wire.text() !== `nistp${bits}`) throw corrupt(type);
      const q = wire.bytes();
      if (q?.length !== 1 + 2 * Math.ceil(bits / 8) || q[0] !== 0x04) throw corrupt(type);
      break;
    }
    case 'ssh-rsa': {
      const exponent = wire.bytes();
      const modulus = wire.bytes();
      if (!exponent || exponent.length === 0 || !modulus) throw corrupt(type);
      bits = bitLength(modulus);
      break;
    }
  }
  if (type.startsWith('sk-') && wire.text() === undefined) throw corrupt(type);
  if (!wire.atEnd()) throw corrupt(type);
  return bits;
}

/** SSH wire format (RFC 4251): uint32 big-endian length, then that many bytes. */
class WireReader {
  private offset = 0;
  constructor(private readonly data: Uint8Array) {}

  bytes(): Uint8Array | undefined {
    if (this.offset + 4 > this.data.length) return undefined;
    const d = this.data;
    const o = this.offset;
    const length = ((d[o]! << 24) >>> 0) + (d[o + 1]! << 16) + (d[o + 2]! << 8) + d[o + 3]!;
    if (this.offset + 4 + length > this.data.length) return undefined;
    this.offset += 4 + length;
    return this.data.subarray(o + 4, o + 4 + length);
  }

  text(): string | undefined {
    const bytes = this.bytes();
    return bytes === undefined ? undefined : new TextDecoder().decode(bytes);
  }

  atEnd(): boolean {
    return this.offset === this.data.length;
  }
}

function bitLength(mpint: Uint8Array): number {
  let i = 0;
  while (i < mpint.length && mpint[i] === 0) i++;
  if (i === mpint.length) return 0;
  return (mpint.length - i - 1) * 8 + (32 - Math.clz32(mpint[i]!));
}

function decodeBase64(data: string): Uint8Array | undefined {
  if (data.length % 4 !== 0 || !BASE64.test(data)) return undefined;
  try {
    return Uint8Array.from(globalThis.atob(data), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

function isAccepted(type: string): type is AcceptedKeyType {
  return (ACCEPTED_KEY_TYPES as readonly string[]).includes(type);
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function corrupt(type: string): JumpgateError {
  return refuse(`the ${type} key data is damaged (was the line cut or edited?)`, 'corrupt');
}

function refuse(why: string, reason: string, extra: Record<string, unknown> = {}): JumpgateError {
  return new JumpgateError('invalid_ssh_key', `${why} — ${SSH_KEY_HELP}`, { details: { reason, ...extra } });
}
