import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { syncDir } from './atomic-file.js';
import { encodeKrl } from './krl-format.js';
import type { SshKeygen } from './ssh-keygen.js';

/** The KRL as last written: what `GET /v1/krl` serves, with what a conditional GET compares. */
export interface KrlSnapshot {
  readonly bytes: Buffer;
  /** A strong ETag (quoted): the SHA-256 of the bytes. */
  readonly etag: string;
  readonly writtenAtMs: number;
  /**
   * Another KRL was written in the same second before this one: a Last-Modified date (whole
   * seconds) cannot tell them apart, so If-Modified-Since must not answer 304 for this one.
   */
  readonly sharesItsSecond: boolean;
}

/** What one write cost: the figures `GET /v1/krl/status` reports as krlBytes and krlWriteMs. */
export interface KrlWrite {
  readonly serials: number;
  readonly bytes: number;
  readonly ms: number;
}

/**
 * The Key Revocation List a bastion's sshd reads (`RevokedKeys`), written whole from the serials
 * it is given (krl-format.ts) and renamed into place: sshd never reads a half-written file (a
 * missing or unreadable KRL makes it refuse every key). The first KRL of the process is read
 * back by this machine's ssh-keygen before it is installed, so an OpenSSH that does not read the
 * format stops the broker at start instead of locking a bastion; after that a write costs no
 * process at all (the writer is tested against ssh-keygen's reader). Callers serialize writes.
 */
export interface Krl {
  readonly path: string;
  write(revokedSerials: readonly string[]): Promise<KrlWrite>;
  /** The last KRL written by this process; undefined before the first write. */
  current(): KrlSnapshot | undefined;
}

export function createKrl(options: {
  path: string;
  caPublicKeyPath: string;
  sshKeygen: SshKeygen;
  now: () => number;
}): Krl {
  const dir = path.dirname(options.path);
  let snapshot: KrlSnapshot | undefined;
  let caKeyBlob: Buffer | undefined;
  let readBack = false;
  return {
    path: options.path,
    async write(revokedSerials) {
      const started = performance.now();
      caKeyBlob ??= await readKeyBlob(options.caPublicKeyPath);
      const writtenAtMs = options.now();
      const bytes = encodeKrl({
        caKeyBlob,
        serials: revokedSerials.map((serial) => BigInt(serial)),
        version: BigInt(writtenAtMs),
        generatedAtSeconds: BigInt(Math.floor(writtenAtMs / 1000)),
      });
      await mkdir(dir, { recursive: true });
      const staged = path.join(dir, `.${path.basename(options.path)}.${randomUUID()}.tmp`);
      try {
        await writeSynced(staged, bytes);
        if (!readBack) {
          // OpenSSH's own reader, with the CA key as the probe: it parses the whole KRL or fails.
          await options.sshKeygen(['-Q', '-f', staged, options.caPublicKeyPath]);
          readBack = true;
        }
        await rename(staged, options.path);
      } finally {
        await rm(staged, { force: true });
      }
      await syncDir(dir);
      const sharesItsSecond =
        snapshot !== undefined && Math.floor(snapshot.writtenAtMs / 1000) === Math.floor(writtenAtMs / 1000);
      snapshot = {
        bytes,
        etag: `"${createHash('sha256').update(bytes).digest('base64url')}"`,
        writtenAtMs,
        sharesItsSecond,
      };
      return { serials: revokedSerials.length, bytes: bytes.length, ms: performance.now() - started };
    },
    current: () => snapshot,
  };
}

/** `ssh-ed25519 AAAA… comment` → the decoded key blob a KRL names its CA by. */
async function readKeyBlob(publicKeyPath: string): Promise<Buffer> {
  const base64 = (await readFile(publicKeyPath, 'utf8')).trim().split(/\s+/)[1];
  if (!base64) throw new Error(`${publicKeyPath} is not an OpenSSH public key`);
  return Buffer.from(base64, 'base64');
}

/** 0644 like ssh-keygen's output (sshd may run its checks as another user), flushed before the rename. */
async function writeSynced(file: string, bytes: Buffer): Promise<void> {
  const handle = await open(file, 'wx', 0o644);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}
