import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlackClient } from '../../../src/slack/slack-client.js';
import { createSlackDirectory } from '../../../src/slack/slack-directory.js';
import { type DemoDirectory, loadDemoDirectory } from '../../../src/workspace/demo-directory.js';
import { createLocalWebApi } from '../../../src/workspace/local-web-api.js';
import { WorkspaceState } from '../../../src/workspace/workspace-state.js';

/**
 * The local Web API as the bot meets it: the real WebClient (as the notifier and directory use
 * it) and Bolt-style response_url posts, against the workspace's state.
 */
const TOKEN = 'xoxb-local-test';

describe('the local Web API', () => {
  let server: http.Server;
  let base: string;
  let state: WorkspaceState;
  let directory: DemoDirectory;

  beforeAll(async () => {
    directory = await loadDemoDirectory();
    state = new WorkspaceState();
    server = http.createServer(createLocalWebApi({ state, directory, botToken: TOKEN }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const respond = (id: string, body: object) =>
    fetch(`${base}/response/${id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('posts to a channel and to a person’s DM, and updates a message in place', async () => {
    const client = createSlackClient(TOKEN, `${base}/api/`);
    const posted = await client.chat.postMessage({ channel: 'C0PRODAPPROVALS', text: 'Access request', blocks: [] });
    expect(posted.channel).toBe('C0PRODAPPROVALS');
    await client.chat.update({ channel: 'C0PRODAPPROVALS', ts: posted.ts ?? '', text: 'Approved', blocks: [] });
    expect(state.conversation('C0PRODAPPROVALS', 'U0ALICE').map((m) => [m.text, m.edited])).toEqual([
      ['Approved', true],
    ]);
    const dm = await client.chat.postMessage({ channel: 'U0ALICE', text: 'granted' });
    expect(dm.channel).toBe('D0ALICE');
    await expect(client.chat.update({ channel: 'C0PRODAPPROVALS', ts: '1.000001', text: 'x' })).rejects.toThrow(
      /message_not_found/,
    );
  });

  it('answers users.info and usergroups.users.list from the demo directory, as the Directory port reads them', async () => {
    const people = createSlackDirectory({ client: createSlackClient(TOKEN, `${base}/api/`), now: Date.now });
    expect(await people.user('U0ALICE')).toEqual({
      id: 'U0ALICE',
      name: 'Alice Martin',
      email: 'alice@example.com',
      deleted: false,
      isBot: false,
    });
    expect(await people.user('U0NOBODY')).toBeUndefined();
    expect(await people.membersOf('S0SRELEADS')).toEqual(directory.groups.S0SRELEADS?.members);
    await expect(people.membersOf('S0NOSUCH')).rejects.toThrow(/no_such_subteam/);
  });

  it('refuses another token', async () => {
    const client = createSlackClient('xoxb-someone-else', `${base}/api/`);
    await expect(client.chat.postMessage({ channel: 'C0SECURITY', text: 'x' })).rejects.toThrow(/invalid_auth/);
    expect(state.conversation('C0SECURITY', 'U0SECLEAD')).toEqual([]);
  });

  it('opens a modal for the person whose trigger it is, once', async () => {
    const client = createSlackClient(TOKEN, `${base}/api/`);
    const trigger = state.trigger('U0DANA');
    const view = {
      type: 'modal' as const,
      callback_id: 'jump_deny_modal',
      title: { type: 'plain_text' as const, text: 'Deny' },
      blocks: [],
    };
    const opened = await client.views.open({ trigger_id: trigger, view });
    expect(state.modal('U0DANA')?.id).toBe(opened.view?.id);
    await expect(client.views.open({ trigger_id: trigger, view })).rejects.toThrow(/invalid_trigger_id/);
  });

  it('puts a respond() answer where Slack would: an ephemeral for the clicker, or in place of the message', async () => {
    const original = state.post({
      channel: 'D0VICTOR',
      user: 'U0JUMPGATE',
      ephemeralFor: 'U0VICTOR',
      text: 'Confirm?',
      blocks: [],
    });
    const id = state.responseId({ user: 'U0VICTOR', channel: 'D0VICTOR', originalTs: original.ts });
    await respond(id, { response_type: 'ephemeral', replace_original: false, text: 'refused: no key' });
    await respond(id, { replace_original: true, text: 'Breakglass cancelled' });
    expect(state.conversation('D0VICTOR', 'U0VICTOR').map((m) => [m.text, m.ephemeralFor])).toEqual([
      ['Breakglass cancelled', 'U0VICTOR'],
      ['refused: no key', 'U0VICTOR'],
    ]);
    expect(state.conversation('D0VICTOR', 'U0SRELEAD')).toEqual([]);
    expect(await (await respond('r-unknown', { text: 'x' })).json()).toEqual({ ok: false, error: 'expired_url' });
  });
});
