/**
 * Reads the sshd log lines that tell which certificate a connection logged in with. sshd checks a
 * certificate only at login, so its log is the one place that ties a live connection (client
 * address and port) to a grant (certificate key id and serial). Needs `LogLevel VERBOSE`.
 *
 * Three line shapes are understood, the message part being the same in all:
 *   `sshd -E <file>`          `Accepted publickey for root from 10.0.0.5 port 53210 ssh2: …`
 *   syslog (/var/log/auth.log) `2025-11-22T04:35:34.123456+00:00 bastion sshd[9653]: Accepted …`
 *                              `Nov 22 04:35:34 bastion sshd[9653]: Accepted …`
 *   journald (`-o short`)      `Nov 22 04:35:34 bastion sshd[9653]: Accepted …`
 */

/** One end of a TCP connection as sshd prints it. */
export interface Endpoint {
  readonly address: string;
  readonly port: number;
}

export type SshdLogEvent =
  /** A TCP connection reached sshd; `server` is the local end (which address and port it came in on). */
  | { readonly kind: 'connection'; readonly pid?: number; readonly client: Endpoint; readonly server: Endpoint }
  /** Authentication succeeded; `certificate` is set when the key was a certificate. */
  | {
      readonly kind: 'login';
      readonly pid?: number;
      readonly user: string;
      readonly method: string;
      readonly client: Endpoint;
      readonly certificate?: { readonly keyId: string; readonly serial: string };
    }
  /** The connection is over (or never got past authentication). */
  | { readonly kind: 'disconnect'; readonly pid?: number; readonly client: Endpoint };

// Anchored on the whole prefix so text a client controls (a user name sshd echoes back in the
// middle of a line) can never pass for the start of a message.
const SYSLOG_PREFIXES = [
  // RFC 3339 (rsyslog's default on Debian 12, journalctl -o short-iso).
  /^\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:?\d\d)? \S+ sshd(?:-session)?\[(\d+)\]: (.*)$/,
  // BSD syslog and journalctl -o short / short-precise: `Nov  2 04:35:34 host sshd[1]: `.
  /^[A-Z][a-z]{2} +\d{1,2} \d\d:\d\d:\d\d(?:\.\d+)? \S+ sshd(?:-session)?\[(\d+)\]: (.*)$/,
];

const CONNECTION = /^Connection from (\S+) port (\d+) on (\S+) port (\d+)(?: rdomain .*)?$/;
const ACCEPTED = /^Accepted (\S+) for (\S+) from (\S+) port (\d+) ssh2(?:: (.*))?$/;
// The key id is printed unquoted and may hold spaces, so it runs to the last "(serial N) CA".
const CERTIFICATE = /^\S+-CERT \S+ ID (.+) \(serial (\d+)\) CA /;
const DISCONNECTS = [
  /^Disconnected from (?:(?:authenticating|invalid) )?user \S+ (\S+) port (\d+)/,
  /^Disconnected from (\S+) port (\d+)/,
  /^Connection (?:closed|reset) by (?:(?:authenticating|invalid) )?(?:user \S+ )?(\S+) port (\d+)/,
];

/** The event a line reports, or undefined for every other line (most of them). */
export function parseSshdLogLine(line: string): SshdLogEvent | undefined {
  const { pid, message } = splitPrefix(line.replace(/\r$/, ''));
  const at = pid === undefined ? {} : { pid };

  const connection = CONNECTION.exec(message);
  if (connection) {
    return {
      kind: 'connection',
      ...at,
      client: endpoint(connection[1]!, connection[2]!),
      server: endpoint(connection[3]!, connection[4]!),
    };
  }

  const accepted = ACCEPTED.exec(message);
  if (accepted) {
    const certificate = CERTIFICATE.exec(accepted[5] ?? '');
    return {
      kind: 'login',
      ...at,
      method: accepted[1]!,
      user: accepted[2]!,
      client: endpoint(accepted[3]!, accepted[4]!),
      ...(certificate ? { certificate: { keyId: certificate[1]!, serial: certificate[2]! } } : {}),
    };
  }

  for (const pattern of DISCONNECTS) {
    const match = pattern.exec(message);
    if (match) return { kind: 'disconnect', ...at, client: endpoint(match[1]!, match[2]!) };
  }
  return undefined;
}

function splitPrefix(line: string): { pid?: number; message: string } {
  for (const prefix of SYSLOG_PREFIXES) {
    const match = prefix.exec(line);
    if (match) return { pid: Number(match[1]), message: match[2]! };
  }
  // `sshd -E` writes the bare message.
  return { message: line };
}

function endpoint(address: string, port: string): Endpoint {
  return { address, port: Number(port) };
}
