/*
 * The local workspace page: shows /workspace/screen for the chosen person and conversation,
 * refreshes it on each event of /workspace/events, and sends what the person does to the
 * workspace's POST routes. All markup comes from the server's renderer (which escapes every
 * text); this script only places it and reads the page's own controls.
 */

interface Screen {
  readonly people: readonly { id: string; name: string; role: string; tz: string }[];
  readonly conversations: readonly { id: string; name: string; count: number }[];
  readonly html: string;
  readonly modal: string | null;
  readonly incidents: string | null;
  readonly ssh: string;
}

interface KeyAnswer {
  readonly privateKey: string;
  readonly publicKey: string;
  readonly file: string;
  readonly commands: readonly string[];
}

const byId = <T extends HTMLElement>(id: string): T => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the page has no #${id}`);
  return element as T;
};

const params = new URLSearchParams(location.hash.slice(1));
let user = params.get('user') ?? '';
let conversation = params.get('conversation') ?? '';
const seen = new Map<string, number>();
let shown = '';

async function call<T = unknown>(path: string, body: object): Promise<T> {
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = (await res.json()) as T & { error?: string };
  if (!res.ok) throw new Error(answer.error ?? `${path} answered ${res.status}`);
  return answer;
}

function show(html: string): void {
  byId('dialog-body').innerHTML = html;
  byId<HTMLDialogElement>('dialog').showModal();
}

function escapeText(text: string): string {
  const span = document.createElement('span');
  span.textContent = text;
  return span.innerHTML;
}

function fail(error: unknown): void {
  show(`<p>${escapeText(error instanceof Error ? error.message : String(error))}</p>`);
}

async function refresh(): Promise<void> {
  const query = new URLSearchParams({ user, conversation });
  const res = await fetch(`/workspace/screen?${query.toString()}`);
  const screen = (await res.json()) as Screen;

  render(screen);
}

function render(screen: Screen): void {
  const person = byId<HTMLSelectElement>('person');
  if (person.options.length === 0) {
    for (const p of screen.people) person.add(new Option(p.name, p.id));
  }
  person.value = user;
  const me = screen.people.find((p) => p.id === user);
  byId('role').textContent = me ? `${me.role} · ${me.tz}` : '';
  seen.set(`${user}/${conversation}`, screen.conversations.find((c) => c.id === conversation)?.count ?? 0);
  const list = byId('conversations');
  list.replaceChildren(
    ...screen.conversations.map((c) => {
      const button = document.createElement('button');
      button.className = `conv${c.id === conversation ? ' active' : ''}`;
      button.dataset.conversation = c.id;
      const fresh = c.count - (seen.get(`${user}/${c.id}`) ?? 0);
      button.textContent = c.name;
      if (fresh > 0 && c.id !== conversation) {
        button.classList.add('unread');
        const badge = document.createElement('span');
        badge.className = 'badge';
        badge.textContent = String(fresh);
        button.append(badge);
      }
      return button;
    }),
  );
  document.querySelector('[data-conversation="home"]')?.classList.toggle('active', conversation === 'home');
  byId('title').textContent =
    conversation === 'home' ? 'Jumpgate · Home' : (screen.conversations.find((c) => c.id === conversation)?.name ?? '');
  const messages = byId('messages');
  // Like Slack: a conversation opens at its newest message, and new messages scroll into view
  // unless the person has scrolled up to read.
  const key = `${user}/${conversation}`;
  const shownBefore = shown;
  const atBottom = shown !== key || messages.scrollHeight - messages.scrollTop - messages.clientHeight < 40;
  shown = key;
  messages.innerHTML = screen.html;
  // App Home reads from the top; a conversation from its newest message.
  if (conversation === 'home') {
    if (shownBefore !== key) messages.scrollTop = 0;
  } else if (atBottom) messages.scrollTop = messages.scrollHeight;
  const overlay = byId('overlay');
  overlay.hidden = screen.modal === null;
  overlay.innerHTML = screen.modal ?? '';
  byId('incident-section').hidden = screen.incidents === null;
  byId('incidents').innerHTML = screen.incidents ?? '';
  const ssh = byId('ssh');
  if (!ssh.contains(document.activeElement)) ssh.innerHTML = screen.ssh;
}

function go(next: { user?: string; conversation?: string }): void {
  user = next.user ?? user;
  conversation = next.conversation ?? conversation;
  if (next.user && !next.conversation && conversation.startsWith('D')) conversation = `D${user.slice(1)}`;
  location.hash = new URLSearchParams({ user, conversation }).toString();
  if (conversation === 'home') void call('/workspace/home', { user }).catch(fail);
  void refresh();
}

function fields(form: HTMLElement): object[] {
  return [...form.querySelectorAll<HTMLElement>('[data-input]')].map((input) => {
    const base = {
      blockId: input.dataset.blockId ?? '',
      actionId: input.dataset.actionId ?? '',
      type: input.dataset.type ?? '',
    };
    if (
      input instanceof HTMLInputElement ||
      input instanceof HTMLTextAreaElement ||
      input instanceof HTMLSelectElement
    ) {
      return { ...base, value: input.value };
    }
    const checked = [...input.querySelectorAll<HTMLInputElement>('input[type=checkbox]:checked')].map((c) => c.value);
    return { ...base, values: checked };
  });
}

async function onClick(target: HTMLElement): Promise<void> {
  const conv = target.closest<HTMLElement>('[data-conversation]');
  if (conv) return go({ conversation: conv.dataset.conversation ?? '' });
  const button = target.closest<HTMLElement>('button');
  if (!button) return;
  if (button.dataset.actionId !== undefined) {
    const confirmation = button.dataset.confirm
      ? (JSON.parse(button.dataset.confirm) as { title: string; text: string })
      : undefined;
    if (confirmation && !confirm(`${confirmation.title}\n\n${confirmation.text}`)) return;
    const message = button.closest<HTMLElement>('[data-ts]');
    const view = button.closest<HTMLElement>('[data-view-id]');
    button.setAttribute('disabled', '');
    await call('/workspace/click', {
      user,
      actionId: button.dataset.actionId,
      blockId: button.dataset.blockId ?? '',
      value: button.dataset.value ?? '',
      ...(message ? { channel: message.dataset.channel, ts: message.dataset.ts } : { viewId: view?.dataset.viewId }),
    });
    return;
  }
  if (button.hasAttribute('data-close')) return void (await call('/workspace/close', { user }));
  if (button.hasAttribute('data-copy')) {
    const text = button.parentElement?.querySelector('pre')?.textContent ?? '';
    await navigator.clipboard.writeText(text).catch(() => undefined);
    button.textContent = 'Copied';
    return;
  }
  if (button.hasAttribute('data-inspect')) {
    const certificate = button.parentElement?.querySelector('pre')?.textContent ?? '';
    const { summary } = await call<{ summary: string }>('/workspace/inspect', { certificate });
    return show(`<h3>ssh-keygen -L</h3><pre class="cert-summary">${escapeText(summary)}</pre>`);
  }
  if (button.hasAttribute('data-keygen')) {
    const key = await call<KeyAnswer>('/workspace/keygen', { user });
    return show(
      `<h3>Your new key (shown once)</h3><p>Save the private key as <code>${escapeText(key.file)}</code> (<code>chmod 600</code>), and the certificate the bot sends as <code>${escapeText(
        key.file,
      )}-cert.pub</code>. The public key is registered for you.</p><pre class="private-key">${escapeText(key.privateKey)}</pre><p>Then connect with:</p><pre>${escapeText(
        key.commands.join('\n'),
      )}</pre>`,
    );
  }
  if (button.hasAttribute('data-register-key')) {
    const text = document.querySelector<HTMLTextAreaElement>('[data-paste-key]')?.value.trim() ?? '';
    await call('/workspace/command', { user, channel: `D${user.slice(1)}`, text: `key ${text}` });
    return go({ conversation: `D${user.slice(1)}` });
  }
  if (button.dataset.openIncident !== undefined) {
    await call('/workspace/incident', {
      service: button.dataset.openIncident,
      title: `Trouble on ${button.dataset.openIncident}`,
    });
    return;
  }
  if (button.dataset.resolve !== undefined) await call('/workspace/resolve', { id: button.dataset.resolve });
}

function start(): void {
  void (async () => {
    const first = (await (
      await fetch(`/workspace/screen?user=${encodeURIComponent(user || 'U0ALICE')}`)
    ).json()) as Screen;
    user = first.people.some((p) => p.id === user) ? user : (first.people[0]?.id ?? '');
    // A first visit starts in the person's DM with Jumpgate, where the getting-started steps are.
    if (conversation === '') conversation = `D${user.slice(1)}`;
    go({});
  })().catch(fail);

  document.addEventListener('click', (event) => {
    if (event.target instanceof HTMLElement) onClick(event.target).catch(fail);
  });
  byId('person').addEventListener('change', (event) => {
    if (event.target instanceof HTMLSelectElement) go({ user: event.target.value });
  });
  document.addEventListener('change', (event) => {
    const select = event.target;
    if (select instanceof HTMLSelectElement && select.dataset.oncall !== undefined) {
      call('/workspace/oncall', { policy: select.dataset.oncall, user: select.value }).catch(fail);
    }
  });
  byId('composer').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = byId<HTMLInputElement>('composer-text');
    const text = input.value.trim();
    if (text === '') return;
    if (!/^\/jump(\s|$)/.test(text))
      return fail(new Error('This workspace only knows the /jump command: start with /jump.'));
    input.value = '';
    call('/workspace/command', {
      user,
      channel: conversation === 'home' ? `D${user.slice(1)}` : conversation,
      text,
    }).catch(fail);
    if (conversation === 'home') go({ conversation: `D${user.slice(1)}` });
  });
  byId('overlay').addEventListener('submit', (event) => {
    event.preventDefault();
    const form = event.target;
    if (form instanceof HTMLFormElement) {
      call('/workspace/submit', { user, viewId: form.dataset.viewId ?? '', values: fields(form) }).catch(fail);
    }
  });

  let pending: number | undefined;
  new EventSource('/workspace/events').addEventListener('message', () => {
    window.clearTimeout(pending);
    pending = window.setTimeout(() => void refresh().catch(fail), 30);
  });
}

start();

export {};
