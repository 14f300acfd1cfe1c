import { describe, expect, it } from 'vitest';
import { parseSshdLogLine } from '../../../src/broker/server/sshd-log-line.js';
import { createLoginClaims } from '../../../src/broker/server/sshd-login-claims.js';

const CA = 'CA ED25519 SHA256:rFaNmyHlYW+wKUfWmH6vHaYeyjA3yxnxKolnHjodqMU';
const accepted = (port: number, id: string) =>
  `Accepted publickey for ops from 10.0.0.7 port ${port} ssh2: ED25519-CERT SHA256:k ID ${id} (serial 7) ${CA}`;
const connection = (port: number) => `Connection from 10.0.0.7 port ${port} on 10.0.0.1 port 22 rdomain ""`;
const withPid = (pid: number, line: string) => `Nov 22 04:35:34 bastion sshd[${pid}]: ${line}`;

function claimsOf(lines: readonly string[]) {
  const claims = createLoginClaims();
  for (const line of lines) {
    const event = parseSshdLogLine(line);
    if (event) claims.add(event);
  }
  return claims.take().map((claim) => [claim.grantId, claim.client.port, claim.pid, claim.server?.port]);
}

describe('createLoginClaims', () => {
  it('keeps the first login a pid logged: a later line for the same process and port cannot replace it', () => {
    expect(
      claimsOf([
        withPid(30, connection(5000)),
        withPid(30, accepted(5000, 'real')),
        withPid(30, accepted(5000, 'forged')),
      ]),
    ).toEqual([['real', 5000, 30, undefined]]);
  });

  it('ignores Disconnected lines and plain-key logins of a pid', () => {
    expect(
      claimsOf([
        withPid(30, accepted(5000, 'real')),
        withPid(30, 'Disconnected from user ops 10.0.0.7 port 5000'),
        withPid(30, 'Accepted publickey for ops from 10.0.0.7 port 5000 ssh2: ED25519 SHA256:k'),
      ]),
    ).toEqual([['real', 5000, 30, undefined]]);
  });

  it('without pids (sshd -E), a new connection from the same port makes the older claim stale, and the server end is kept', () => {
    expect(claimsOf([connection(5000), accepted(5000, 'old'), connection(5000), accepted(5000, 'new')])).toEqual([
      ['new', 5000, undefined, 22],
    ]);
  });

  it('hands each claim out once', () => {
    const claims = createLoginClaims();
    claims.add(parseSshdLogLine(accepted(5000, 'a'))!);
    expect(claims.take()).toHaveLength(1);
    expect(claims.take()).toEqual([]);
  });
});
