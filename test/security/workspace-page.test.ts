import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type RunningJumpgate, startJumpgate } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { signedRequest, slashCommandBody } from '../support/slack-signing.js';

/**
 * The local workspace's page acts as anyone in its directory, so only the page itself, on this
 * machine, may drive it: another site's page (a cross-site post, DNS rebinding) must not, and
 * nobody without the run's own signing secret reaches the bot's /slack/events.
 */
describe('the local workspace page', () => {
  let dir: string;
  let bot: RunningJumpgate;
  let base: string;

  /** node:http, because fetch does not let a test set the Host header. */
  const request = (
    method: string,
    pathname: string,
    headers: Record<string, string>,
    body = '',
  ): Promise<{ status: number; body: string }> =>
    new Promise((resolve, reject) => {
      const req = http.request(`${base}${pathname}`, { method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', reject);
      req.end(body);
    });
  const screen = async (user: string, conversation: string) => {
    const res = await fetch(`${base}/workspace/screen?user=${user}&conversation=${conversation}`);
    return (await res.json()) as { html: string };
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'jumpgate-workspace-page-'));
    bot = await startJumpgate(
      loadConfig({
        PORT: '0',
        REDIS_URL: inject('redisUrl'),
        JUMPGATE_PREFIX: `t-workspace-page-${randomBytes(4).toString('hex')}`,
        WORKFLOWS_DIR: path.resolve('workflows'),
        DATA_DIR: path.join(dir, 'data'),
      }),
      pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    );
    base = `http://127.0.0.1:${bot.port}`;
  }, 60_000);

  afterAll(async () => {
    await bot?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a request addressed to another host name (DNS rebinding)', async () => {
    expect((await request('GET', '/', { host: 'evil.example' })).status).toBe(403);
    expect((await request('GET', '/workspace/screen?user=U0ALICE', { host: `evil.example:${bot.port}` })).status).toBe(
      403,
    );
    expect((await request('GET', '/', { host: `localhost:${bot.port}` })).status).toBe(200);
  });

  it('refuses a post from another site’s page and a form post, and carries neither out', async () => {
    const command = JSON.stringify({ user: 'U0ALICE', channel: 'D0ALICE', text: '/jump help' });
    const crossSite = await request(
      'POST',
      '/workspace/command',
      { 'content-type': 'application/json', origin: 'https://evil.example' },
      command,
    );
    expect(crossSite.status).toBe(403);
    const form = await request('POST', '/workspace/command', { 'content-type': 'text/plain' }, command);
    expect(form.status).toBe(415);
    expect((await screen('U0ALICE', 'D0ALICE')).html).not.toContain('<article');
  });

  it('answers 401 to a slash command signed with any secret but the run’s own', async () => {
    const body = slashCommandBody({ text: 'help', userId: 'U0ALICE', responseUrl: 'http://127.0.0.1:9/nowhere' });
    const res = await fetch(`${base}/slack/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...signedRequest('e3b0c44298fc1c149afbf4c8996fb924', body),
      },
      body,
    });
    expect(res.status).toBe(401);
  });

  it('shows <script> in a reason as text in the approvers’ channel', async () => {
    // A request needs a registered key: the page makes one with ssh-keygen and registers it.
    const keygen = await request(
      'POST',
      '/workspace/keygen',
      { 'content-type': 'application/json', origin: base },
      JSON.stringify({ user: 'U0ALICE' }),
    );
    expect(keygen.status).toBe(200);
    const res = await request(
      'POST',
      '/workspace/command',
      { 'content-type': 'application/json', origin: base },
      JSON.stringify({
        user: 'U0ALICE',
        channel: 'D0ALICE',
        text: '/jump request prod-db 30m <script>alert(1)</script> <img src=x onerror=alert(1)> INC-1',
      }),
    );
    expect(res.status).toBe(200);
    let html = '';
    // The approval message is posted after the command's ack: poll the rendered channel.
    for (let i = 0; i < 100 && !html.includes('Access request'); i += 1) {
      html = (await screen('U0SRELEAD', 'C0PRODAPPROVALS')).html;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toMatch(/<script|<img/);
  });
});
