import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningBroker, startBrokerServer } from '../../src/broker/server/broker-server.js';
import type { SigningKey } from '../../src/broker/signing-key.js';
import { grantRequest, rawCall, userKey } from '../integration/broker/harness.js';
import { capturingLogger } from '../support/broker-fakes.js';
import { makeSigningKey, makeToken } from '../support/token-builder.js';

/**
 * Anyone who can reach a broker can ask `/healthz`, `/v1/ca.pub` and `/v1/krl`. What went wrong
 * inside (file paths, ssh-keygen's own words) helps someone mapping the bastion, so the answers
 * carry a code and a fixed sentence, and the details go to the broker's log only.
 */
const SECRET_PATH = '/etc/jumpgate-secret/ca_key';

describe('what a broker that cannot sign tells the world', () => {
  let dir: string;
  let key: SigningKey;
  let broker: RunningBroker;
  const { logger, records } = capturingLogger();

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'jumpgate-public-errors-'));
    key = await makeSigningKey();
    // An ssh-keygen that fails the way a real one does, naming a path.
    const failing = path.join(dir, 'failing-ssh-keygen');
    await writeFile(
      failing,
      `#!/bin/sh\necho "Saving key \\"${SECRET_PATH}\\" failed: Permission denied" >&2\nexit 1\n`,
    );
    await chmod(failing, 0o755);
    broker = await startBrokerServer({
      dataDir: path.join(dir, 'broker'),
      trustedKeys: key.jwks,
      sshKeygen: failing,
      logger,
    });
  });

  afterAll(async () => {
    await broker?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a public /healthz, /v1/ca.pub or /v1/krl reveals no path and no ssh-keygen output', async () => {
    const answers = await Promise.all(
      ['/healthz', '/v1/ca.pub', '/v1/krl'].map((route) => rawCall(broker.url, 'GET', route)),
    );
    for (const answer of answers) {
      expect(answer.status).toBe(503);
      expect(answer.json()).toMatchObject({
        error: { code: 'unavailable', message: 'the broker cannot sign; its log has the details' },
      });
      expect(answer.text).not.toContain(SECRET_PATH);
      expect(answer.text).not.toContain('Permission denied');
      expect(answer.text).not.toContain(dir);
    }
    // The operator still finds the reason, in the log.
    expect(JSON.stringify(records.filter((record) => record.level >= 50))).toContain(
      `${SECRET_PATH}\\" failed: Permission denied`,
    );
  });

  it('a signed grant call to it gets the same code, not the internals', async () => {
    const body = JSON.stringify(grantRequest(await userKey(dir, 'alice')));
    const token = await makeToken(key, { method: 'POST', url: '/v1/grants', body, nowMs: Date.now() });
    const answer = await rawCall(broker.url, 'POST', '/v1/grants', { token, body });
    expect([answer.status, answer.json()]).toEqual([
      503,
      { error: { code: 'unavailable', message: 'the broker cannot sign; its log has the details' } },
    ]);
  });
});

describe('what a broker that fails inside tells its caller', () => {
  let dir: string;
  let key: SigningKey;
  let broker: RunningBroker;
  const { logger, records } = capturingLogger();

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'jumpgate-internal-error-'));
    key = await makeSigningKey();
    broker = await startBrokerServer({ dataDir: path.join(dir, 'broker'), trustedKeys: key.jwks, logger });
    // The serial counter's path turns into a folder: reserving serials for the first grant fails
    // with an error naming the path.
    await mkdir(path.join(dir, 'broker', 'serial'));
  });

  afterAll(async () => {
    await broker?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a 500 says "internal" and nothing of the error, which goes to the log', async () => {
    const body = JSON.stringify(grantRequest(await userKey(dir, 'alice')));
    const token = await makeToken(key, { method: 'POST', url: '/v1/grants', body, nowMs: Date.now() });
    const answer = await rawCall(broker.url, 'POST', '/v1/grants', { token, body });
    expect(answer.status).toBe(500);
    expect(answer.json()).toEqual({
      error: { code: 'internal', message: 'the broker failed to handle the call; its log has the details' },
    });
    expect(answer.text).not.toContain(dir);
    expect(JSON.stringify(records.filter((record) => record.level >= 50))).toContain(
      path.join(dir, 'broker', 'serial'),
    );
  });
});
