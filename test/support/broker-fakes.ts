import { pino } from 'pino';
import type { CertificateAuthority, CertificateRequest } from '../../src/broker/server/certificate-authority.js';
import type { GrantRequestBody } from '../../src/broker/server/grant-request.js';
import type { GrantStore, StoredGrant } from '../../src/broker/server/grant-store.js';
import type { Krl } from '../../src/broker/server/krl.js';

/** In-memory twins of the broker's disk-backed parts, typed to their interfaces. */

export function memoryGrantStore(initial: StoredGrant[] = []): GrantStore & { serials: string[] } {
  const grants = new Map(initial.map((grant) => [grant.id, grant]));
  let last = 0n;
  const serials: string[] = [];
  return {
    serials,
    get: (id) => grants.get(id),
    all: () => [...grants.values()],
    reserveSerial: () => {
      last += 1n;
      serials.push(last.toString());
      return Promise.resolve(last.toString());
    },
    save: (grant) => {
      grants.set(grant.id, grant);
      return Promise.resolve();
    },
    prune: (cutoffMs) => {
      const due = [...grants.values()].filter((grant) => Date.parse(grant.notAfter) <= cutoffMs);
      for (const grant of due) grants.delete(grant.id);
      return Promise.resolve(due.length);
    },
    close: () => Promise.resolve(),
  };
}

/** A KRL that records the serials of each write (in the order given); writes take `delayMs`. */
export function recordingKrl(events: string[] = [], delayMs = 0): Krl & { writes: (readonly string[])[] } {
  const writes: (readonly string[])[] = [];
  return {
    path: '/dev/null',
    writes,
    write: async (serials) => {
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      writes.push(serials);
      events.push(`krl ${serials.join(',')}`);
      return { serials: serials.length, bytes: 44 + serials.length, ms: delayMs };
    },
    current: () => undefined,
  };
}

export function recordingCa(): CertificateAuthority & { requests: CertificateRequest[] } {
  const requests: CertificateRequest[] = [];
  return {
    publicKey: 'ssh-ed25519 AAAA jumpgate-ca',
    publicKeyPath: '/dev/null',
    requests,
    sign: (request) => {
      requests.push(request);
      return Promise.resolve(`ssh-ed25519-cert-v01@openssh.com CERT-${request.serial}`);
    },
  };
}

export function grantBody(overrides: Partial<GrantRequestBody> = {}): GrantRequestBody {
  return {
    id: 'g-1',
    requestId: 'r-1',
    kind: 'standard',
    subject: { type: 'user', id: 'U1', sshPublicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA' },
    target: { name: 'prod-db', hosts: ['db-1.internal'], principals: ['dbadmin'] },
    notAfter: '2030-01-01T12:30:00Z',
    reason: 'fix replication INC-42',
    options: { allowPty: false },
    ...overrides,
  };
}

export function storedGrant(overrides: Partial<StoredGrant> = {}): StoredGrant {
  return {
    id: 'g-1',
    request: grantBody(),
    serial: '1',
    certificate: 'ssh-ed25519-cert-v01@openssh.com CERT-1',
    notBefore: '2030-01-01T11:59:00.000Z',
    notAfter: '2030-01-01T12:30:00.000Z',
    issuedAt: '2030-01-01T12:00:00.000Z',
    ...overrides,
  };
}

/** A pino logger that keeps its records, so a test can assert what was logged. */
export function capturingLogger() {
  const records: { level: number; msg: string; [key: string]: unknown }[] = [];
  const logger = pino(
    { level: 'debug' },
    { write: (line: string) => records.push(JSON.parse(line) as (typeof records)[number]) },
  );
  return { logger, records };
}
