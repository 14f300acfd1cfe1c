import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type RunningJumpgate, startJumpgate } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';

/**
 * The local workspace in a real browser (Debian's chromium, headless, through playwright-core):
 * the bot runs as `npm start` runs it with no Slack variable (real Redis, the embedded broker
 * with real ssh-keygen, BullMQ, the example workflows and the demo directory), and one person
 * plays everyone from the page. Each step leaves a screenshot under test-results/workspace/.
 */
const CHROMIUM = '/usr/bin/chromium';
// Without the networking flags chromium keeps trying to reach Google's services and can hang.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SHOTS = path.resolve('test-results/workspace');
/** Waits for the page: each is a round trip through the bot, the jobs and the broker. */
const STEP_MS = 15_000;

describe('the local workspace in a browser', () => {
  let dir: string;
  let bot: RunningJumpgate;
  let browser: BrowserContext;
  let page: Page;
  let shots = 0;

  const shot = async (name: string) => {
    shots += 1;
    await page.screenshot({ path: path.join(SHOTS, `${String(shots).padStart(2, '0')}-${name}.png`) });
  };
  const messages = () => page.locator('#messages');
  const as = async (user: string, conversation: string) => {
    await page.selectOption('#person', user);
    await page.click(`[data-conversation="${conversation}"]`);
    await expect
      .poll(() => page.locator('.conv.active').getAttribute('data-conversation'), { timeout: STEP_MS })
      .toBe(conversation);
  };
  const type = async (text: string) => {
    await page.fill('#composer-text', text);
    await page.press('#composer-text', 'Enter');
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'jumpgate-workspace-'));
    await mkdir(SHOTS, { recursive: true });
    const config = loadConfig({
      PORT: '0',
      REDIS_URL: inject('redisUrl'),
      JUMPGATE_PREFIX: `t-workspace-${randomBytes(4).toString('hex')}`,
      WORKFLOWS_DIR: path.resolve('workflows'),
      DATA_DIR: path.join(dir, 'data'),
    });
    expect(config.slack.kind).toBe('local');
    // The incident watch runs every second here (30 s by default), so a resolved incident ends its grant quickly.
    bot = await startJumpgate(config, pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }), {
      incidentWatchEveryMs: 1_000,
    });
    browser = await chromium.launchPersistentContext(path.join(dir, 'chromium-profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1400, height: 900 },
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.setDefaultTimeout(STEP_MS);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await bot?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the page on loopback with the banner that says how to connect a real Slack', async () => {
    expect(bot.workspaceUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    await page.goto(`${bot.workspaceUrl}#user=U0ALICE&conversation=D0ALICE`);
    await expect.poll(() => page.locator('.banner').textContent()).toContain('local workspace');
    expect(await page.locator('.banner').textContent()).toContain('SLACK_BOT_TOKEN');
    await expect.poll(() => page.locator('#person').inputValue()).toBe('U0ALICE');
    await shot('workspace');
  });

  it('makes Alice a key with the real ssh-keygen and registers it', async () => {
    await page.click('[data-keygen]');
    await page.locator('dialog .private-key').waitFor();
    expect(await page.locator('dialog .private-key').textContent()).toContain('BEGIN OPENSSH PRIVATE KEY');
    await shot('key-generated');
    await page.click('dialog button:has-text("Close")');
    await messages().getByText('Your SSH public key is registered').waitFor();
  }, 60_000);

  it('takes a request as Alice, an approval as Bob, and shows Alice the certificate DM', async () => {
    await type('/jump request prod-db 30m fix replication INC-42');
    await messages().getByText('sent to #prod-approvals').waitFor();
    await shot('request-sent');

    await as('U0SRELEAD', 'C0PRODAPPROVALS');
    const request = messages().locator('article', { hasText: 'Access request' }).last();
    await request.getByText('@Alice Martin').waitFor();
    expect(await request.textContent()).toContain('fix replication INC-42');
    await shot('approval-message');
    await request.locator('button:has-text("Approve")').click();
    await messages().getByText('You approved').waitFor();
    // The approval message is updated in place, without a reload.
    await request.getByText('Active until').waitFor();
    await shot('approved');

    await as('U0ALICE', 'D0ALICE');
    const granted = messages().locator('article', { hasText: 'is granted' }).last();
    await granted.locator('pre', { hasText: '-cert-v01@openssh.com' }).waitFor();
    await shot('certificate-dm');
    await granted.locator('[data-inspect]').click();
    await page.locator('dialog .cert-summary').waitFor();
    const summary = (await page.locator('dialog .cert-summary').textContent()) ?? '';
    expect(summary).toContain('Key ID: "grant_');
    expect(summary).toContain('dbadmin');
    await shot('certificate-summary');
    await page.click('dialog button:has-text("Close")');
  }, 90_000);

  it('asks for the breakglass confirmation first, grants on Confirm and alerts security', async () => {
    await type('/jump breakglass prod-web 15m primary down INC-7');
    const confirmation = messages().locator('article', { hasText: 'Breakglass access to prod-web' }).last();
    await confirmation.locator('button:has-text("Confirm")').waitFor();
    await shot('breakglass-confirmation');
    await confirmation.locator('button:has-text("Confirm")').click();
    await messages().locator('article', { hasText: 'is granted' }).filter({ hasText: 'prod-web' }).waitFor();
    await shot('breakglass-granted');

    await as('U0SECLEAD', 'C0SECURITY');
    await messages().getByText('Breakglass').first().waitFor();
    expect(await messages().textContent()).toContain('prod-web');
    await shot('security-alert');
  }, 90_000);

  it('auto-approves Dana while she is on call for an open incident, and ends her access when it is resolved', async () => {
    await as('U0DANA', 'D0DANA');
    await page.click('[data-keygen]');
    await page.locator('dialog .private-key').waitFor();
    await page.click('dialog button:has-text("Close")');
    await messages().getByText('Your SSH public key is registered').waitFor();
    await page.selectOption('[data-oncall="PPRODESC"]', 'U0DANA');
    await page.click('[data-open-incident="PDBSVC1"]');
    await page.locator('.incident.triggered').waitFor();
    await type('/jump request prod-db 20m database on fire INC-9');
    const granted = messages().locator('article', { hasText: 'is granted' }).last();
    await granted.locator('pre', { hasText: '-cert-v01@openssh.com' }).waitFor();
    expect(await messages().textContent()).toContain('Auto-approved');
    await shot('auto-approved');

    await page.click('.incident.triggered [data-resolve]');
    await messages().getByText('was revoked at').waitFor();
    expect(await messages().locator('article', { hasText: 'was revoked at' }).textContent()).toContain('resolved');
    await shot('ended-with-incident');
  }, 90_000);

  it('shows the request form’s validation errors on the field', async () => {
    await as('U0ALICE', 'D0ALICE');
    await type('/jump request');
    await page.locator('.modal').waitFor();
    await page.click('.modal button[type=submit]');
    await page.locator('.modal .field-error', { hasText: 'Choose a target.' }).waitFor();
    await shot('modal-errors');
    await page.click('.modal [data-close]');
    await page.locator('.modal').waitFor({ state: 'detached' });
  }, 60_000);

  it('opens App Home, and takes a request through its form', async () => {
    await page.click('[data-conversation="home"]');
    await messages().locator('.home button:has-text("Request access")').click();
    await page.locator('.modal').waitFor();
    await page.selectOption('.modal select[data-block-id="jump_request_target"]', 'staging');
    await page.fill('.modal [data-block-id="jump_request_duration"]', '45m');
    await page.fill('.modal [data-block-id="jump_request_reason"]', 'deploy the hotfix');
    await shot('request-form');
    await page.click('.modal button[type=submit]');
    await page.locator('.modal').waitFor({ state: 'detached' });
    // A request made in the form is confirmed in the DM (a view submission has no response_url).
    await as('U0ALICE', 'D0ALICE');
    await messages().locator('article', { hasText: 'for staging (45m) sent to #staging-access' }).waitFor();
    await shot('form-request-sent');
  }, 60_000);
});
