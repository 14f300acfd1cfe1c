import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { syncDir } from './atomic-file.js';
import type { SshKeygen } from './ssh-keygen.js';

/**
 * The Key Revocation List a bastion's sshd reads (`RevokedKeys`). Always rebuilt whole from every
 * revoked serial, so it cannot drift from the grant state, and renamed into place so sshd never
 * reads a half-written file (a missing or unreadable KRL makes sshd refuse every key).
 */
export interface Krl {
  readonly path: string;
  write(revokedSerials: readonly string[]): Promise<void>;
  read(): Promise<Buffer>;
}

export function createKrl(options: { path: string; caPublicKeyPath: string; sshKeygen: SshKeygen }): Krl {
  const dir = path.dirname(options.path);
  return {
    path: options.path,
    async write(revokedSerials) {
      await mkdir(dir, { recursive: true });
      const work = await mkdtemp(path.join(dir, '.krl-'));
      try {
        const spec = path.join(work, 'spec');
        const staged = path.join(work, 'revoked.krl');
        await writeFile(spec, revokedSerials.map((serial) => `serial: ${serial}\n`).join(''), { mode: 0o600 });
        await (revokedSerials.length === 0
          ? options.sshKeygen(['-k', '-f', staged])
          : options.sshKeygen(['-k', '-f', staged, '-s', options.caPublicKeyPath, spec]));
        await rename(staged, options.path);
        await syncDir(dir);
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    },
    read: () => readFile(options.path),
  };
}
