import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createBrokerClient } from '../../../src/broker/client.js';
import { type EmbeddedBroker, startEmbeddedBroker } from '../../../src/broker/embedded.js';
import { loadSigningKey } from '../../../src/broker/signing-key.js';
import type { Policy } from '../../../src/domain/workflow.js';
import { type AccessService, createAccessService } from '../../../src/service/access-service.js';
import type { Broker } from '../../../src/service/ports/broker.js';
import { createRedisStore } from '../../../src/store/redis-store.js';
import { testRedis } from '../../support/redis.js';
import {
  FakeDirectory,
  FakeIncidents,
  memoryLogger,
  RecordingNotifier,
  RecordingScheduler,
} from '../../support/service-fakes.js';

const run = promisify(execFile);

/**
 * The use cases over a real Redis store and the real embedded broker (real ssh-keygen), with an
 * injected clock; only the Slack-facing ports (notifier, directory) and the scheduler are
 * recorded, so a test runs a job's use case at the time it chooses.
 */
export async function serviceHarness(label: string, policy: Policy, groups: Record<string, string[]> = {}) {
  const conn = testRedis(label);
  const dir = await mkdtemp(path.join(tmpdir(), `jumpgate-${label}-`));
  const signingKey = await loadSigningKey({ dataDir: dir });
  const embedded: EmbeddedBroker = await startEmbeddedBroker({ dataDir: dir, jwks: signingKey.jwks });
  const realBroker = createBrokerClient({ baseUrl: embedded.url, signingKey, retries: 1, backoffMs: 10 });
  const clock = { now: Date.now() };
  const notifier = new RecordingNotifier();
  const scheduler = new RecordingScheduler();
  const incidents = new FakeIncidents();
  const logs: { level: string; object: object; message?: string }[] = [];
  const store = createRedisStore({ redis: conn.redis, prefix: conn.prefix, now: () => clock.now });
  /** Swap for a broker that fails, to test outages. */
  const brokerBox: { current: Broker } = { current: realBroker };
  const broker: Broker = {
    grant: (request) => brokerBox.current.grant(request),
    revoke: (id) => brokerBox.current.revoke(id),
    listActive: () => brokerBox.current.listActive(),
  };
  const service: AccessService = createAccessService({
    store,
    broker,
    notifier,
    scheduler,
    directory: new FakeDirectory(groups, { U0ALICE: 'alice@example.com' }),
    incidents,
    policy: () => policy,
    now: () => clock.now,
    logger: memoryLogger(logs),
  });
  const keyFile = path.join(dir, 'alice');
  await run('ssh-keygen', ['-t', 'ed25519', '-N', '', '-q', '-C', 'alice@laptop', '-f', keyFile]);
  const alicePublicKey = (await readFile(`${keyFile}.pub`, 'utf8')).trim();

  return {
    service,
    store,
    notifier,
    scheduler,
    incidents,
    clock,
    logs,
    realBroker,
    brokerBox,
    brokerUrl: embedded.url,
    dir,
    alicePublicKey,
    /** `ssh-keygen -Q`: is this certificate in the broker's revocation list? */
    async isRevokedAtBroker(certificate: string): Promise<boolean> {
      const krl = Buffer.from(await (await fetch(`${embedded.url}/v1/krl`)).arrayBuffer());
      const krlFile = path.join(dir, 'check.krl');
      const certFile = path.join(dir, 'check-cert.pub');
      await writeFile(krlFile, krl);
      await writeFile(certFile, `${certificate}\n`);
      try {
        await run('ssh-keygen', ['-Q', '-f', krlFile, certFile]);
        return false;
      } catch (error) {
        if ((error as { stdout?: string }).stdout?.includes('REVOKED')) return true;
        throw error;
      }
    },
    async close() {
      await embedded.close();
      await conn.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
