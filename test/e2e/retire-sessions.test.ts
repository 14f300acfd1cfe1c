import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningBroker, startBrokerServer } from '../../src/broker/server/broker-server.js';
import { createSshdSessionTerminator, type SshdSessionTerminator } from '../../src/broker/server/sshd-sessions.js';
import { loadSigningKey } from '../../src/broker/signing-key.js';
import { isRevoked } from '../integration/broker/harness.js';
import { startBot } from '../integration/slack/bot-harness.js';
import {
  makeUserKey,
  openSession,
  type RunningSshd,
  type SshIdentity,
  sessionProcesses,
  startSshd,
  writeCertificate,
} from '../support/sshd.js';

/**
 * A retired target end to end: the bot (in this process) talks to the reference broker, whose
 * session terminator follows a real sshd's log; the bastion trusts the broker's CA and reads its
 * KRL. Removing the target from the files ends the live `sleep` session over sshd.
 */
const workflow = (targets: readonly string[]) => `name: bastion
targets:
${targets.map((name) => `  - name: ${name}\n    hosts: [127.0.0.1]\n    principals: [ops]`).join('\n')}
access:
  channel: C0APPROVALS
  approvers: { users: [U0LEAD] }
  max_duration: 1h
  require_reason: true
  request_timeout: 30m
`;

describe('retiring a target ends its live sessions on a real sshd', () => {
  let dir: string;
  let terminator: SshdSessionTerminator;
  let broker: RunningBroker;
  let sshd: RunningSshd;
  let alice: SshIdentity;
  let bot: Awaited<ReturnType<typeof startBot>>;
  let krlPath: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'jumpgate-e2e-retire-'));
    const logFile = path.join(dir, 'sshd.log');
    krlPath = path.join(dir, 'bastion', 'revoked.krl');
    terminator = createSshdSessionTerminator({ logFile, graceMs: 1_000 });
    const signingKey = await loadSigningKey({ dataDir: path.join(dir, 'bot-key') });
    broker = await startBrokerServer({
      dataDir: path.join(dir, 'broker'),
      trustedKeys: signingKey.jwks,
      krlPath,
      sessions: terminator,
    });
    const caPublicKey = await fetch(`${broker.url}/v1/ca.pub`).then((response) => response.text());
    sshd = await startSshd({ caPublicKey, krlPath, logFile, principals: { root: ['ops'] } });
    bot = await startBot({
      label: 'retire-e2e',
      workflows: { bastion: workflow(['bastion-a', 'bastion-b']) },
      users: [{ id: 'U0ALICE' }, { id: 'U0LEAD' }],
      env: {
        BROKER_URL: broker.url,
        JUMPGATE_SIGNING_KEY: await readFile(path.join(dir, 'bot-key', 'signing-key.jwk.json'), 'utf8'),
      },
    });
    alice = await makeUserKey(dir, 'alice');
    expect(await (await bot.command('U0ALICE', `key ${alice.publicKey}`)).reply()).toContain('SHA256:');
  });

  afterAll(async () => {
    await bot?.stop();
    await sshd?.stop();
    await terminator?.close();
    await broker?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('removing the target from the files revokes the grant (KRL) and ends its sleep session', async () => {
    const reply = await (await bot.command('U0ALICE', 'request bastion-a 30m maintenance window')).reply();
    const id = /req_[a-z0-9]+/.exec(reply)?.[0] ?? '';
    expect(await (await bot.click('U0LEAD', 'jump_approve', id)).reply()).toContain('You approved');
    const dm = await bot.slack.waitFor(
      'chat.postMessage',
      (call) => call.args.channel === 'U0ALICE' && JSON.stringify(call.args).includes('-cert-v01@openssh.com'),
      15_000,
    );
    const certificate = /(ssh-ed25519-cert-v01@openssh\.com \S+)/.exec(
      JSON.stringify(dm.args).replace(/\\n/g, '\n'),
    )?.[1];
    await writeCertificate(alice, certificate ?? '');

    const session = openSession(sshd, alice, 3605);
    try {
      await session.ready;
      await expect.poll(async () => (await sessionProcesses(sshd)).map((p) => p.command)).toContain('sleep 3605');

      await writeFile(path.join(bot.dir, 'workflows', 'bastion.yml'), workflow(['bastion-b']));
      expect((await bot.reloadPolicy()).outcome).toBe('applied');

      const ended = await session.ended;
      expect(ended.code).toBe(255);
      expect((await sessionProcesses(sshd)).map((p) => p.command)).not.toContain('sleep 3605');
      // The KRL the bastion reads names the certificate: a new login with it is refused too.
      expect(await isRevoked(krlPath, certificate ?? '')).toBe(true);
      // The audit file is a copy written just after each seal: read it once it has caught up.
      await expect
        .poll(async () => {
          const records = (await readFile(bot.auditFile, 'utf8'))
            .trim()
            .split('\n')
            .map((line) => JSON.parse(line) as { type: string; requestId: string | null; target: string | null });
          return {
            last: records.filter((r) => r.requestId === id).at(-1)?.type,
            retired: records.filter((r) => r.type === 'target_retired' && r.target === 'bastion-a').length,
          };
        })
        .toEqual({ last: 'revoked', retired: 1 });
    } finally {
      session.close();
    }
  });
});
