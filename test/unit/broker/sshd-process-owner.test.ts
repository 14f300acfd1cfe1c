import { describe, expect, it } from 'vitest';
import { unsafeLogFileProblem } from '../../../src/broker/server/sshd-log-file-check.js';
import { isRootSshd, isRootStatus, isSshdExecutable } from '../../../src/broker/server/sshd-process-owner.js';

describe('isRootStatus', () => {
  it('needs the real and the effective uid to be 0', () => {
    expect(isRootStatus('Name:\tsshd\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n')).toBe(true);
    expect(isRootStatus('Uid:\t1000\t0\t0\t0\n')).toBe(false);
    expect(isRootStatus('Uid:\t0\t1000\t1000\t1000\n')).toBe(false);
    expect(isRootStatus('')).toBe(false);
  });
});

describe('isSshdExecutable', () => {
  it('accepts sshd and sshd-session, also after a package upgrade replaced the file', () => {
    expect(isSshdExecutable('/usr/sbin/sshd')).toBe(true);
    expect(isSshdExecutable('/usr/lib/openssh/sshd-session')).toBe(true);
    expect(isSshdExecutable('/usr/sbin/sshd (deleted)')).toBe(true);
  });
  it('refuses anything else, a name that only looks like sshd included', () => {
    expect(isSshdExecutable('/usr/bin/sleep')).toBe(false);
    expect(isSshdExecutable('/tmp/sshd-helper')).toBe(false);
    expect(isSshdExecutable('sshd')).toBe(false);
    expect(isSshdExecutable('')).toBe(false);
  });
});

describe('isRootSshd', () => {
  it('is false for this test process (node, not sshd) and for a pid that does not exist', async () => {
    expect(await isRootSshd('/proc', process.pid)).toBe(false);
    expect(await isRootSshd('/proc', 2 ** 30)).toBe(false);
  });
});

describe('unsafeLogFileProblem', () => {
  it('accepts a root-owned file nobody else may write, and names what is wrong otherwise', () => {
    expect(unsafeLogFileProblem({ uid: 0, mode: 0o100640 })).toBeUndefined();
    expect(unsafeLogFileProblem({ uid: 0, mode: 0o100600 })).toBeUndefined();
    expect(unsafeLogFileProblem({ uid: 104, mode: 0o100640 }, '/var/log/auth.log')).toBe(
      '/var/log/auth.log is owned by uid 104, not root',
    );
    expect(unsafeLogFileProblem({ uid: 0, mode: 0o100660 }, 'f')).toBe(
      'f can be written by its group or by everyone (mode 660)',
    );
    expect(unsafeLogFileProblem({ uid: 0, mode: 0o100642 }, 'f')).toBe(
      'f can be written by its group or by everyone (mode 642)',
    );
  });
});
