import { mkdir } from 'node:fs/promises';
import http, { type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { JSONWebKeySet } from 'jose';
import { type Logger, pino } from 'pino';
import { createBrokerApp } from './app.js';
import { type BastionRouteDeps, createBastionListener, type KrlStatus, krlStatus } from './bastion-routes.js';
import { CA_KEY_FILE, type CertificateAuthority, openCertificateAuthority } from './certificate-authority.js';
import { lockDataDir } from './data-dir-lock.js';
import { openGrantStore } from './grant-store.js';
import { BrokerHttpError } from './http-error.js';
import { createGrantIssuer } from './issue-grant.js';
import { createKrl } from './krl.js';
import { createKrlFetchLog } from './krl-fetches.js';
import { createMutex } from './mutex.js';
import { createExpiredPruner, PRUNE_EVERY_MS, type PruneResult } from './prune-expired.js';
import { createReplayCache } from './replay-cache.js';
import { createRevocationList } from './revocation-list.js';
import { createGrantRevoker } from './revoke-grant.js';
import type { SessionTerminator } from './session-terminator.js';
import { createSshKeygen } from './ssh-keygen.js';
import { trustedKeyResolver } from './trusted-keys.js';
import { createRequestVerifier } from './verify-request.js';

export interface BrokerServerOptions {
  /** CA key, grant records, serial counter (created 0700 if missing). */
  readonly dataDir: string;
  /** The bot's public JWKS, or the URL it is served at. */
  readonly trustedKeys: JSONWebKeySet | string;
  readonly host?: string;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  readonly now?: () => number;
  readonly sshKeygen?: string;
  /**
   * Where sshd's RevokedKeys points; default `<dataDir>/revoked.krl`. When set, the broker writes
   * the file sshd reads itself, so a KRL no bastion fetched is not reported stale.
   */
  readonly krlPath?: string;
  /** How often expired grants and KRL serials are pruned (PRUNE_EVERY_MS); 0 = only at start and on demand. */
  readonly pruneEveryMs?: number;
  /** Ends live sessions of revoked grants (sshd-sessions.ts on a bastion). */
  readonly sessions?: SessionTerminator;
  readonly logger?: Logger;
}

export interface RunningBroker {
  readonly url: string;
  readonly port: number;
  /** The public bastion routes alone (`/v1/ca.pub`, `/v1/krl`, `/v1/krl/status`), for the bot's listener. */
  readonly bastion: RequestListener;
  /** What `GET /v1/krl/status` answers: the last fetch, staleness, and the KRL's size and write time. */
  krlStatus(): KrlStatus;
  /** Drops expired grant records and KRL serials now (it also runs every pruneEveryMs). */
  pruneExpired(): Promise<PruneResult>;
  close(): Promise<void>;
}

/**
 * The reference broker: an OpenSSH CA behind Broker API v1. At start it loads its state, makes
 * (or loads) the CA key, checks ssh-keygen and rewrites the KRL from the revoked grants that have
 * not expired, so sshd always has a valid RevokedKeys file; what expired is pruned every minute. If the CA or ssh-keygen fails it still starts, answering
 * /healthz and the signing routes with 503, so the problem is visible rather than a crash loop.
 */
export async function startBrokerServer(options: BrokerServerOptions): Promise<RunningBroker> {
  const logger = options.logger ?? pino({ level: 'silent' });
  const now = options.now ?? Date.now;
  const host = options.host ?? '127.0.0.1';
  const krlPath = options.krlPath ?? path.join(options.dataDir, 'revoked.krl');
  const verifyKeys = trustedKeyResolver(options.trustedKeys);
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  // Before any state is read: a second broker on this folder would reuse serials.
  const lock = await lockDataDir(options.dataDir);
  const sshKeygen = createSshKeygen(options.sshKeygen);
  const store = await openGrantStore(options.dataDir);

  let health: { ok: boolean; problem?: string } = { ok: true };
  let ca: CertificateAuthority = unavailableCa();
  const krl = createKrl({
    path: krlPath,
    caPublicKeyPath: path.join(options.dataDir, `${CA_KEY_FILE}.pub`),
    sshKeygen,
    now,
  });
  const fetches = createKrlFetchLog({ now, fetchExpected: options.krlPath === undefined });
  const revokedOnDisk = store.all().filter((grant) => grant.revokedAt !== undefined);
  const revocations = createRevocationList({
    krl,
    now,
    initial: revokedOnDisk.map((grant) => ({ serial: grant.serial, notAfterMs: Date.parse(grant.notAfter) })),
    onAdded: (count) => fetches.recordRevocations(count),
  });
  try {
    ca = await openCertificateAuthority(options.dataDir, sshKeygen);
    await sshKeygen(['-l', '-f', ca.publicKeyPath]);
    await revocations.rewrite();
  } catch (error) {
    health = { ok: false, problem: error instanceof Error ? error.message : String(error) };
    logger.error(
      { err: error },
      'the broker cannot sign: /healthz answers 503 until this is fixed and the broker restarted',
    );
  }

  const mutex = createMutex();
  const pruneExpired = createExpiredPruner({ store, revocations, mutex, now, logger });
  const prune = () =>
    pruneExpired().catch((error: unknown) => logger.error({ err: error }, 'could not prune expired grants'));
  await prune();
  const pruneEveryMs = options.pruneEveryMs ?? PRUNE_EVERY_MS;
  const pruneTimer = pruneEveryMs > 0 ? setInterval(() => void prune(), pruneEveryMs).unref() : undefined;

  const bastion: BastionRouteDeps = { ca, krl, revocations, fetches, health: () => health };
  const app = createBrokerApp({
    verify: createRequestVerifier({ keys: verifyKeys, replay: createReplayCache({ now }), now, startedAtMs: now() }),
    issue: createGrantIssuer({ store, ca, mutex, now }),
    revoke: createGrantRevoker({
      store,
      revocations,
      now,
      logger,
      ...(options.sessions ? { sessions: options.sessions } : {}),
    }),
    store,
    bastion,
    now,
    logger,
    health: () => health,
  });

  const server = http.createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info({ url, dataDir: options.dataDir, krlPath, healthy: health.ok }, 'broker listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    bastion: createBastionListener(bastion, logger),
    krlStatus: () => krlStatus(bastion),
    pruneExpired,
    // Idempotent: a test's afterAll and a signal handler may both close it.
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        clearInterval(pruneTimer);
        server.close(
          (error) =>
            void store
              .close()
              .then(() => lock.release())
              .then(() => (error ? reject(error) : resolve()), reject),
        );
        server.closeAllConnections();
      })),
  };
}

/** Stands in for the CA when it could not be opened; the routes check health before signing. */
function unavailableCa(): CertificateAuthority {
  return {
    publicKey: '',
    publicKeyPath: '',
    sign: () => Promise.reject(new BrokerHttpError(503, 'unavailable', 'the broker has no certificate authority')),
  };
}
