import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isJumpgateError } from '../../../src/domain/errors.js';
import { parseSshPublicKey, SSH_KEY_HELP } from '../../../src/domain/ssh-public-key.js';

const run = promisify(execFile);
let dir: string;
const keys: Record<string, string> = {};

/** Real keys from this machine's ssh-keygen, so the parser is checked against what people paste. */
async function makeKey(name: string, args: string[]): Promise<void> {
  const file = path.join(dir, name);
  await run('ssh-keygen', [...args, '-N', '', '-C', `${name}@laptop`, '-q', '-f', file]);
  keys[name] = (await readFile(`${file}.pub`, 'utf8')).trim();
  keys[`${name}-private`] = await readFile(file, 'utf8');
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'jumpgate-sshkey-'));
  await Promise.all([
    makeKey('ed25519', ['-t', 'ed25519']),
    makeKey('ecdsa256', ['-t', 'ecdsa', '-b', '256']),
    makeKey('ecdsa384', ['-t', 'ecdsa', '-b', '384']),
    makeKey('ecdsa521', ['-t', 'ecdsa', '-b', '521']),
    makeKey('rsa2048', ['-t', 'rsa', '-b', '2048']),
    makeKey('rsa3072', ['-t', 'rsa', '-b', '3072']),
  ]);
  // OpenSSH 9.2 still generates DSA keys; later releases dropped it, hence the hand-built fallback.
  try {
    await makeKey('dsa', ['-t', 'dsa']);
  } catch {
    keys.dsa = `ssh-dss ${wire(str('ssh-dss'), str(new Uint8Array(128)), str(new Uint8Array(20)), str(new Uint8Array(128)), str(new Uint8Array(128)))}`;
  }
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** SSH wire string: uint32 length + bytes. */
function str(value: string | Uint8Array): Uint8Array {
  const bytes = typeof value === 'string' ? new TextEncoder().encode(value) : value;
  const out = new Uint8Array(4 + bytes.length);
  new DataView(out.buffer).setUint32(0, bytes.length);
  out.set(bytes, 4);
  return out;
}

function wire(...parts: Uint8Array[]): string {
  return Buffer.concat(parts).toString('base64');
}

function refusal(text: string): string {
  try {
    parseSshPublicKey(text);
  } catch (error) {
    if (isJumpgateError(error, 'invalid_ssh_key')) return error.message;
    throw error;
  }
  throw new Error(`accepted: ${text}`);
}

describe('parseSshPublicKey accepts', () => {
  it('an Ed25519 key, keeping the comment apart from the normalized line', () => {
    const [type, data] = keys.ed25519!.split(' ');
    expect(parseSshPublicKey(keys.ed25519!)).toEqual({
      type: 'ssh-ed25519',
      bits: 256,
      normalized: `${type} ${data}`,
      comment: 'ed25519@laptop',
    });
  });

  it('ECDSA keys on the three NIST curves with their curve size', () => {
    expect(parseSshPublicKey(keys.ecdsa256!)).toMatchObject({ type: 'ecdsa-sha2-nistp256', bits: 256 });
    expect(parseSshPublicKey(keys.ecdsa384!)).toMatchObject({ type: 'ecdsa-sha2-nistp384', bits: 384 });
    expect(parseSshPublicKey(keys.ecdsa521!)).toMatchObject({ type: 'ecdsa-sha2-nistp521', bits: 521 });
  });

  it('an RSA key of 3072 bits', () => {
    expect(parseSshPublicKey(keys.rsa3072!)).toMatchObject({ type: 'ssh-rsa', bits: 3072 });
  });

  it('a key without a comment, surrounded by whitespace', () => {
    const [type, data] = keys.ed25519!.split(' ');
    const parsed = parseSshPublicKey(`  ${type} ${data}\n`);
    expect(parsed.normalized).toBe(`${type} ${data}`);
    expect(parsed).not.toHaveProperty('comment');
  });

  it('security-key (FIDO) Ed25519 and ECDSA keys', () => {
    const edType = 'sk-ssh-ed25519@openssh.com';
    const ed = `${edType} ${wire(str(edType), str(new Uint8Array(32).fill(7)), str('ssh:'))} yubikey`;
    expect(parseSshPublicKey(ed)).toMatchObject({ type: edType, bits: 256, comment: 'yubikey' });
    const ecType = 'sk-ecdsa-sha2-nistp256@openssh.com';
    const point = new Uint8Array(65).fill(1);
    point[0] = 4;
    const ec = `${ecType} ${wire(str(ecType), str('nistp256'), str(point), str('ssh:'))}`;
    expect(parseSshPublicKey(ec)).toMatchObject({ type: ecType, bits: 256 });
  });
});

describe('parseSshPublicKey refuses', () => {
  it('an RSA key under 3072 bits, naming its size', () => {
    expect(refusal(keys.rsa2048!)).toBe(
      `this RSA key has 2048 bits; RSA keys need at least 3072 bits — ${SSH_KEY_HELP}`,
    );
  });

  it('a DSA key', () => {
    expect(refusal(keys.dsa!)).toBe(
      `DSA keys are refused (they are weak and OpenSSH has dropped them) — ${SSH_KEY_HELP}`,
    );
  });

  it('a private key pasted by mistake, without echoing it', () => {
    const message = refusal(keys['ed25519-private']!);
    expect(message).toBe(`this looks like a PRIVATE key — never share it; paste the .pub file — ${SSH_KEY_HELP}`);
    expect(refusal('-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----')).toBe(message);
  });

  it('a certificate instead of the public key', () => {
    const type = 'ssh-ed25519-cert-v01@openssh.com';
    expect(refusal(`${type} ${wire(str(type))}`)).toBe(
      `this is a certificate, not a public key; paste the .pub file, not the -cert.pub file — ${SSH_KEY_HELP}`,
    );
  });

  it('a line whose key data is of another type than it claims', () => {
    const ecdsaData = keys.ecdsa256!.split(' ')[1];
    expect(refusal(`ssh-ed25519 ${ecdsaData}`)).toBe(
      `the key data is a "ecdsa-sha2-nistp256" key, but the line says ssh-ed25519 — ${SSH_KEY_HELP}`,
    );
  });

  it('two keys pasted at once', () => {
    expect(refusal(`${keys.ed25519!}\n${keys.ecdsa256!}`)).toBe(`paste exactly one key, on one line — ${SSH_KEY_HELP}`);
  });

  it('garbage, an empty paste, bad base64 and truncated key data', () => {
    expect(refusal('hello world')).toBe(`"hello" is not a key type we accept — ${SSH_KEY_HELP}`);
    expect(refusal('   ')).toBe(`no SSH public key was given — ${SSH_KEY_HELP}`);
    expect(refusal('ssh-ed25519 not*base64!')).toBe(`the ssh-ed25519 key data is not valid base64 — ${SSH_KEY_HELP}`);
    expect(refusal('ssh-ed25519')).toBe(`the ssh-ed25519 key data is not valid base64 — ${SSH_KEY_HELP}`);
    const data = keys.ed25519!.split(' ')[1]!;
    const cut = Buffer.from(data, 'base64').subarray(0, 30).toString('base64');
    expect(refusal(`ssh-ed25519 ${cut}`)).toBe(
      `the ssh-ed25519 key data is damaged (was the line cut or edited?) — ${SSH_KEY_HELP}`,
    );
  });

  it('key data with bytes after the key', () => {
    const type = 'ssh-ed25519';
    const padded = `${type} ${wire(str(type), str(new Uint8Array(32)), str('extra'))}`;
    expect(refusal(padded)).toBe(`the ssh-ed25519 key data is damaged (was the line cut or edited?) — ${SSH_KEY_HELP}`);
  });

  it('an RFC 4716 key, telling how to convert it', () => {
    expect(refusal('---- BEGIN SSH2 PUBLIC KEY ----\nAAAA\n---- END SSH2 PUBLIC KEY ----')).toBe(
      `this is an RFC 4716 key; convert it to one OpenSSH line with "ssh-keygen -i -f <file>" — ${SSH_KEY_HELP}`,
    );
  });

  it('with details a caller can act on (the reason and the RSA size)', () => {
    try {
      parseSshPublicKey(keys.rsa2048!);
      expect.unreachable();
    } catch (error) {
      expect(isJumpgateError(error, 'invalid_ssh_key') && error.details).toEqual({
        reason: 'rsa_too_small',
        bits: 2048,
      });
    }
  });
});
