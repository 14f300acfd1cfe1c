import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/**
 * A throwaway Unix user for attacks that need "another local user of the bastion". Needs root
 * (the CI runs as root); the user has no home and no shell and is removed again by `remove()`.
 */
const run = promisify(execFile);

export interface LocalUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  remove(): Promise<void>;
}

export async function createLocalUser(prefix = 'jg-attacker'): Promise<LocalUser> {
  if (process.getuid?.() !== 0) throw new Error('this test creates a local user and needs root (run it as root, as CI does)');
  const name = `${prefix}-${process.pid}`.slice(0, 31);
  await run('useradd', ['--no-create-home', '--shell', '/usr/sbin/nologin', '--user-group', name]);
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
