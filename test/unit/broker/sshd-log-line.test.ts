import { describe, expect, it } from 'vitest';
import { parseSshdLogLine } from '../../../src/broker/server/sshd-log-line.js';

// Captured from this machine's sshd (OpenSSH 9.2p1 Debian, LogLevel VERBOSE): `-E <file>` lines
// verbatim, and the syslog messages it sent to /dev/log, which rsyslog and journald file under
// the prefixes below.
const CA = 'CA ED25519 SHA256:rFaNmyHlYW+wKUfWmH6vHaYeyjA3yxnxKolnHjodqMU';
const FP = 'SHA256:niBzq04oV8u2mmw3rCd4MBWe3r6k6NNF0RCWDjhEm3I';
const ACCEPTED_CERT = `Accepted publickey for root from 127.0.0.1 port 39338 ssh2: ED25519-CERT ${FP} ID grant-abc (serial 7) ${CA}`;

const PREFIXES = {
  'sshd -E': '',
  'auth.log, rsyslog RFC 3339 (Debian 12 default)': '2025-11-22T04:35:34.512345+00:00 bastion sshd[9653]: ',
  'auth.log, traditional format': 'Nov 22 04:35:34 bastion sshd[9653]: ',
  'auth.log, traditional format, single-digit day': 'Nov  2 04:35:34 bastion sshd[9653]: ',
  'journalctl -o short': 'Nov 22 04:35:34 bastion sshd[9653]: ',
  'journalctl -o short-iso': '2025-11-22T04:35:34+0000 bastion sshd[9653]: ',
  'journalctl -o short-precise': 'Nov 22 04:35:34.512345 bastion sshd[9653]: ',
  'OpenSSH 9.8+ (sshd-session), short': 'Nov 22 04:35:34 bastion sshd-session[9653]: ',
} as const;

describe('parseSshdLogLine', () => {
  it.each(Object.entries(PREFIXES))('reads a certificate login with its key id and serial (%s)', (format, prefix) => {
    expect(parseSshdLogLine(prefix + ACCEPTED_CERT)).toEqual({
      kind: 'login',
      ...(format === 'sshd -E' ? {} : { pid: 9653 }),
      method: 'publickey',
      user: 'root',
      client: { address: '127.0.0.1', port: 39338 },
      certificate: { keyId: 'grant-abc', serial: '7' },
    });
  });

  it('reads the connection line that says which sshd address and port a client came in on', () => {
    expect(parseSshdLogLine('Connection from 127.0.0.1 port 39786 on 127.0.0.1 port 22022 rdomain ""')).toEqual({
      kind: 'connection',
      client: { address: '127.0.0.1', port: 39786 },
      server: { address: '127.0.0.1', port: 22022 },
    });
    expect(
      parseSshdLogLine(
        'Nov 22 04:35:34 bastion sshd[9653]: Connection from 2001:db8::7 port 51000 on 2001:db8::1 port 22 rdomain ""',
      ),
    ).toEqual({
      kind: 'connection',
      pid: 9653,
      client: { address: '2001:db8::7', port: 51000 },
      server: { address: '2001:db8::1', port: 22 },
    });
  });

  it('reads a plain key login as a login without a certificate', () => {
    expect(parseSshdLogLine(`Accepted publickey for root from 127.0.0.1 port 40086 ssh2: ED25519 ${FP}`)).toEqual({
      kind: 'login',
      method: 'publickey',
      user: 'root',
      client: { address: '127.0.0.1', port: 40086 },
    });
  });

  it('keeps a key id that holds spaces and parentheses whole', () => {
    const line = `Accepted publickey for ops from 10.0.0.5 port 53210 ssh2: ED25519-CERT ${FP} ID vendor (acme) grant 9 (serial 12) ${CA}`;
    expect(parseSshdLogLine(line)).toMatchObject({ certificate: { keyId: 'vendor (acme) grant 9', serial: '12' } });
  });

  it.each([
    ['Disconnected from user root 127.0.0.1 port 39786', 39786],
    ['Nov 22 04:35:34 bastion sshd[9653]: Disconnected from user root 127.0.0.1 port 39338', 39338],
    ['Connection closed by authenticating user root 127.0.0.1 port 37898 [preauth]', 37898],
    ['Connection closed by 127.0.0.1 port 37811 [preauth]', 37811],
    ['Connection reset by 127.0.0.1 port 37812', 37812],
    ['Disconnected from invalid user admin 127.0.0.1 port 37813 [preauth]', 37813],
  ])('reads the end of a connection: %s', (line, port) => {
    expect(parseSshdLogLine(line)).toMatchObject({ kind: 'disconnect', client: { address: '127.0.0.1', port } });
  });

  it.each([
    'Server listening on 127.0.0.1 port 22022.',
    'Accepted certificate ID "grant-abc" (serial 7) signed by ED25519 CA SHA256:rFaNmyHlYW+wKUfWmH6vHaYeyjA3yxnxKolnHjodqMU via /tmp/sx/ca.pub',
    'Postponed publickey for root from 127.0.0.1 port 39786 ssh2 [preauth]',
    'Starting session: command for root from 127.0.0.1 port 39786 id 0',
    'Close session: user root from 127.0.0.1 port 39786 id 0',
    'Received disconnect from 127.0.0.1 port 39786:11: disconnected by user',
    'Exiting on signal 15',
    'Certificate invalid: expired',
    `Failed publickey for root from 127.0.0.1 port 37898 ssh2: ED25519-CERT ${FP} ID grant-old (serial 8) ${CA}`,
    'Authentication key ED25519-CERT SHA256:niBzq04oV8u2mmw3rCd4MBWe3r6k6NNF0RCWDjhEm3I revoked by file /tmp/sx/krl',
    'Nov 22 04:35:35 bastion sshd[9649]: Received signal 15; terminating.',
    'Nov 22 04:35:35 bastion CRON[100]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)',
    '',
  ])('ignores a line that opens or ends no session: %j', (line) => {
    expect(parseSshdLogLine(line)).toBeUndefined();
  });

  it('never takes text a client chose (an invalid user name) for the start of a message', () => {
    const forged = `Invalid user x sshd[1]: ${ACCEPTED_CERT} from 127.0.0.1 port 4444`;
    expect(parseSshdLogLine(forged)).toBeUndefined();
    expect(parseSshdLogLine(`Nov 22 04:35:34 bastion sshd[9653]: ${forged}`)).toBeUndefined();
  });

  it('reads a line that ends with a carriage return', () => {
    expect(parseSshdLogLine(`${ACCEPTED_CERT}\r`)).toMatchObject({ certificate: { keyId: 'grant-abc', serial: '7' } });
  });
});
