import { readFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import path from 'node:path';
import type { Endpoint } from './sshd-log-line.js';

/**
 * The kernel's TCP socket tables (/proc/net/tcp and tcp6): the bridge from a connection sshd
 * logged (client address and port) to the socket inode its processes hold. Linux only; the
 * tables are those of the reader's network namespace, so the broker must share sshd's.
 */
export interface TcpSocket {
  readonly local: Endpoint;
  readonly remote: Endpoint;
  /** Kernel state: 1 = established, 10 = listening. */
  readonly state: number;
  readonly inode: number;
}

export const TCP_LISTEN = 0x0a;

/** Every TCP socket of both tables; a missing table (no IPv6) reads as empty. */
export async function readTcpSockets(procRoot = '/proc'): Promise<TcpSocket[]> {
  const tables = await Promise.all(
    ['tcp', 'tcp6'].map((name) =>
      readFile(path.join(procRoot, 'net', name), 'utf8').catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return '';
        throw error;
      }),
    ),
  );
  return tables.flatMap((table) => parseTcpTable(table));
}

/** Parses one table; the header and malformed rows are skipped. */
export function parseTcpTable(text: string, littleEndian = endianness() === 'LE'): TcpSocket[] {
  const sockets: TcpSocket[] = [];
  for (const row of text.split('\n')) {
    const fields = row.trim().split(/\s+/);
    const [, local, remote, state, , , , , , inode] = fields;
    if (!local || !remote || !state || !inode || !/^\d+:$/.test(fields[0] ?? '')) continue;
    const localEnd = decodeEndpoint(local, littleEndian);
    const remoteEnd = decodeEndpoint(remote, littleEndian);
    if (!localEnd || !remoteEnd) continue;
    sockets.push({ local: localEnd, remote: remoteEnd, state: parseInt(state, 16), inode: Number(inode) });
  }
  return sockets;
}

/** `0100007F:5606` → 127.0.0.1 port 22022 (the kernel prints each 32-bit word in host order). */
function decodeEndpoint(text: string, littleEndian: boolean): Endpoint | undefined {
  const [hex, port] = text.split(':');
  if (!hex || !port || !/^[0-9A-Fa-f]+$/.test(hex) || (hex.length !== 8 && hex.length !== 32)) return undefined;
  const bytes: number[] = [];
  for (let word = 0; word < hex.length; word += 8) {
    const wordBytes = [0, 2, 4, 6].map((at) => parseInt(hex.slice(word + at, word + at + 2), 16));
    bytes.push(...(littleEndian ? wordBytes.reverse() : wordBytes));
  }
  return { address: canonicalAddress(formatBytes(bytes)), port: parseInt(port, 16) };
}

function formatBytes(bytes: readonly number[]): string {
  if (bytes.length === 4) return bytes.join('.');
  const groups: string[] = [];
  for (let at = 0; at < 16; at += 2) groups.push(((bytes[at]! << 8) | bytes[at + 1]!).toString(16));
  return groups.join(':');
}

/**
 * One spelling per address so the log's text and the kernel's hex compare equal: IPv4 dotted,
 * IPv4-mapped IPv6 as IPv4 (sshd prints those as IPv4), other IPv6 as eight full hex groups.
 */
export function canonicalAddress(text: string): string {
  const address = text
    .replace(/%.*$/, '')
    .replace(/^\[|\]$/g, '')
    .toLowerCase();
  if (!address.includes(':')) return address;
  const groups = expandIpv6(address);
  if (!groups) return address;
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join('.');
  }
  return groups.map((group) => group.toString(16).padStart(4, '0')).join(':');
}

function expandIpv6(address: string): number[] | undefined {
  let text = address;
  const embedded = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (embedded) {
    const [a, b, c, d] = embedded.slice(1).map(Number) as [number, number, number, number];
    text = text.slice(0, embedded.index) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string | undefined) => (part ? part.split(':').map((group) => parseInt(group, 16)) : []);
  const head = parse(halves[0]);
  const tail = parse(halves[1]);
  const missing = 8 - head.length - tail.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return undefined;
  const groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  return groups.every((group) => Number.isInteger(group) && group >= 0 && group <= 0xffff) ? groups : undefined;
}

export function sameEndpoint(a: Endpoint, b: Endpoint): boolean {
  return a.port === b.port && canonicalAddress(a.address) === canonicalAddress(b.address);
}
