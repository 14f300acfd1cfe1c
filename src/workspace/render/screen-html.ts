import { BOT_USER_ID, type LocalMessage, type LocalView } from '../workspace-state.js';
import { blocksToHtml, textObject } from './block-kit-html.js';
import { escapeHtml, type RenderContext } from './html.js';
import { mrkdwnToHtml } from './mrkdwn-html.js';

/** A conversation as the page shows it: each message with its author, time and thread replies. */
export function conversationHtml(
  messages: readonly LocalMessage[],
  context: RenderContext,
  empty = '<div class="empty">No messages here yet.</div>',
): string {
  const top = messages.filter((m) => m.threadTs === undefined);
  if (top.length === 0) return empty;
  return top
    .map((message) => {
      const replies = messages.filter((m) => m.threadTs === message.ts);
      const thread = replies.length
        ? `<div class="thread">${replies.map((r) => messageHtml(r, context)).join('')}</div>`
        : '';
      return `${messageHtml(message, context)}${thread}`;
    })
    .join('');
}

export function messageHtml(message: LocalMessage, context: RenderContext): string {
  const author = escapeHtml(context.users.get(message.user) ?? message.user);
  const time = new Intl.DateTimeFormat('en-US', {
    timeZone: context.timeZone,
    hour: 'numeric',
    minute: '2-digit',
  }).format(Number(message.ts) * 1000);
  const body =
    message.blocks.length > 0
      ? blocksToHtml(message.blocks, context)
      : `<div class="b-text">${mrkdwnToHtml(message.text, context)}</div>`;
  const flags = [
    message.ephemeralFor ? '<span class="ephemeral">Only visible to you</span>' : '',
    message.edited ? '<span class="edited">(edited)</span>' : '',
  ].join('');
  const cls = `message${message.ephemeralFor ? ' is-ephemeral' : ''}${message.user === BOT_USER_ID ? ' from-bot' : ''}`;
  return `<article class="${cls}" data-ts="${escapeHtml(message.ts)}" data-channel="${escapeHtml(message.channel)}"><header><strong>${author}</strong>${
    message.user === BOT_USER_ID ? '<span class="app">APP</span>' : ''
  }<span class="time">${escapeHtml(time)}</span>${flags}</header><div class="body">${body}</div></article>`;
}

/** The modal on top: title, blocks (inputs with their errors), Cancel and Submit. */
export function modalHtml(modal: LocalView, context: RenderContext): string {
  const view = modal.view;
  const blocks = Array.isArray(view.blocks) ? (view.blocks as unknown[]) : [];
  const submit = view.submit
    ? `<button type="submit" class="btn primary">${textObject(view.submit, context)}</button>`
    : '';
  const close = `<button type="button" class="btn" data-close>${view.close ? textObject(view.close, context) : 'Close'}</button>`;
  return `<form class="modal" data-view-id="${escapeHtml(modal.id)}"><h2>${textObject(view.title, context)}</h2><div class="modal-body">${blocksToHtml(
    blocks,
    context,
    modal.errors,
  )}</div><footer>${close}${submit}</footer></form>`;
}

/** App Home's Home tab. */
export function homeHtml(home: LocalView | undefined, context: RenderContext): string {
  if (!home) return '<div class="empty">Opening App Home…</div>';
  const blocks = Array.isArray(home.view.blocks) ? (home.view.blocks as unknown[]) : [];
  return `<div class="home" data-view-id="${escapeHtml(home.id)}">${blocksToHtml(blocks, context)}</div>`;
}

/** An empty DM with Jumpgate: the first steps of a try-out. */
export const GETTING_STARTED = `<div class="empty getting-started"><h3>Try Jumpgate here</h3><ol>
<li>Make an SSH key: <strong>Generate a key for me</strong> in the SSH panel (or paste yours).</li>
<li>Ask for access: <code>/jump request prod-db 30m fix replication INC-42</code> in the box below.</li>
<li>Switch <strong>You are</strong> to Bob Chen, open <strong># prod-approvals</strong> and click <strong>Approve</strong>.</li>
<li>Switch back: your certificate is here, with the <code>ssh</code> command and <code>ssh-keygen -L</code>.</li>
</ol><p>Also: <code>/jump help</code>, <code>/jump breakglass prod-web 15m primary down INC-7</code>, App Home, and the incident panel (put yourself on call, open an incident, request again: auto-approved).</p></div>`;
