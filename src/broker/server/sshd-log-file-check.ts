import { stat } from 'node:fs/promises';
import path from 'node:path';
import { JumpgateError } from '../../domain/errors.js';

/**
 * The sshd log may be written by root only. Its lines say which connection logged in with which
 * certificate; the broker checks each claim against the kernel, but a file anyone can write is
 * an open door for forged lines, so the broker refuses to read one. The folder counts too: who
 * may write it may swap the file.
 */
interface Owner {
  readonly uid: number;
  readonly mode: number;
}

/** Why a log file with this owner and mode is unsafe, or undefined when only root can write it. */
export function unsafeLogFileProblem(stats: Owner, file = 'the sshd log'): string | undefined {
  if (stats.uid !== 0) return `${file} is owned by uid ${stats.uid}, not root`;
  if ((stats.mode & 0o022) !== 0)
    return `${file} can be written by its group or by everyone (mode ${(stats.mode & 0o777).toString(8)})`;
  return undefined;
}

/** Refuses to start (one line naming the path and the fix) unless only root can write the sshd log. */
export async function assertRootOnlySshdLog(file: string, variable = 'BROKER_SSHD_LOG'): Promise<void> {
  const folder = path.dirname(path.resolve(file));
  const fileStats = await stat(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  const folderStats = await stat(folder).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
    throw new JumpgateError(
      'config_invalid',
      `${variable} ${file}: its folder does not exist: install -d -m 0750 -o root -g root ${folder}`,
      {
        details: { variable },
      },
    );
  });
  const fileProblem = fileStats && unsafeLogFileProblem(fileStats, file);
  const folderProblem = unsafeLogFileProblem(folderStats, `its folder ${folder}`);
  const problem = fileProblem ?? folderProblem;
  if (problem === undefined) return;
  const fix = fileProblem
    ? `chown root:root ${file} && chmod 0640 ${file}`
    : `chown root:root ${folder} && chmod go-w ${folder}`;
  throw new JumpgateError(
    'config_invalid',
    `${variable} ${file} must be writable by root only (a forged sshd line could end someone else's session), ` +
      `but ${problem}: ${fix} (README: "Ending the open sessions of a revoked grant")`,
    { details: { variable } },
  );
}
