import { execFile } from 'node:child_process';
import { JumpgateError } from '../../domain/errors.js';

export const SSH_KEYGEN_INSTALL_HINT =
  'install OpenSSH\'s ssh-keygen ("apt-get install openssh-client" on Debian/Ubuntu) or pass its path';

/** Runs ssh-keygen with an argument array: no shell, so nothing in an argument is ever interpreted. */
export type SshKeygen = (
  args: readonly string[],
  options?: { cwd?: string },
) => Promise<{ stdout: string; stderr: string }>;

export function createSshKeygen(binary = 'ssh-keygen', timeoutMs = 30_000): SshKeygen {
  return (args, options = {}) =>
    new Promise((resolve, reject) => {
      execFile(
        binary,
        [...args],
        { cwd: options.cwd, timeout: timeoutMs, encoding: 'utf8' },
        (error, stdout, stderr) => {
          if (!error) return resolve({ stdout, stderr });
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
            return reject(
              new JumpgateError('dependency_missing', `${binary} was not found: ${SSH_KEYGEN_INSTALL_HINT}`, {
                cause: error,
              }),
            );
          }
          const why = stderr.trim() || error.message;
          reject(new Error(`ssh-keygen ${args[0] ?? ''} failed: ${why}`, { cause: error }));
        },
      );
    });
}
