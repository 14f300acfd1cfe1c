import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/**
 * A throwaway Unix user for attacks that need "another local user of the bastion". Needs root
 * (the CI runs as root); the user has no home and is removed again by `remove()`.
 */
const run = promisify(execFile);

export interface LocalUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  remove(): Promise<void>;
}

/**
 * `sshLogin`: a shell and an unlocked account (no password: `*`), so a test sshd lets it log in
 * with a certificate; otherwise it cannot log in at all.
 */
export async function createLocalUser(
  prefix = 'jg-attacker',
  options: { sshLogin?: boolean } = {},
): Promise<LocalUser> {
  if (process.getuid?.() !== 0)
    throw new Error('this test creates a local user and needs root (run it as root, as CI does)');
  const name = `${prefix}-${process.pid}`.slice(0, 31);
  const login = options.sshLogin ? ['--shell', '/bin/sh', '--password', '*'] : ['--shell', '/usr/sbin/nologin'];
  await run('useradd', ['--no-create-home', ...login, '--user-group', name]);
  const [uid, gid] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
  return {
    name,
    uid: Number(uid.stdout.trim()),
    gid: Number(gid.stdout.trim()),
    remove: async () => {
      await run('userdel', [name]).catch(() => undefined);
    },
  };
}
