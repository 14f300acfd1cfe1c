import { escapeHtml, type RenderContext } from './html.js';
import { formatSlackDate } from './slack-date.js';

/*
 * Slack mrkdwn as HTML, as a Slack client shows it: *bold*, _italic_, ~strike~, `code`, code
 * blocks, > quotes, links and mentions shown as names, date tokens in the reader's time zone.
 * The text arrives with Slack's three entities (&amp; &lt; &gt;); it is decoded, then every
 * character is HTML-escaped, so whatever a person typed shows as text and never as markup.
 */

const PLACEHOLDER = /\uE000(\d+)\uE001/g;

/** The emoji codes the bot's messages use; any other code stays as its text, as in Slack without it. */
const EMOJI: Readonly<Record<string, string>> = {
  alarm_clock: '⏰',
  bell: '🔔',
  boom: '💥',
  checkered_flag: '🏁',
  heavy_multiplication_x: '✖️',
  hourglass: '⌛',
  hourglass_flowing_sand: '⏳',
  key: '🔑',
  large_green_circle: '🟢',
  no_entry: '⛔',
  outbox_tray: '📤',
  rotating_light: '🚨',
  stop_sign: '🛑',
  triangular_flag_on_post: '🚩',
  warning: '⚠️',
  white_check_mark: '✅',
  x: '❌',
  zap: '⚡',
};

export function mrkdwnToHtml(text: string, context: RenderContext): string {
  const clean = text.replace(/[\uE000\uE001]/g, '');
  const parts = clean.split(/```([\s\S]*?)```/);
  return parts
    .map((part, index) => (index % 2 === 1 ? codeBlock(part) : inline(part, context)))
    .join('')
    .replace(/^(<br>)+|(<br>)+$/g, '');
}

function codeBlock(body: string): string {
  const code = escapeHtml(decodeSlack(body.replace(/^\n/, '')));
  const isCertificate = /-cert-v01@openssh\.com /.test(body);
  const inspect = isCertificate ? '<button class="copy inspect" data-inspect>ssh-keygen -L</button>' : '';
  return `<div class="code"><pre>${code}</pre><button class="copy" data-copy>Copy</button>${inspect}</div>`;
}

function inline(text: string, context: RenderContext): string {
  const lines = text.split('\n');
  const out: string[] = [];
  let quote: string[] = [];
  const flush = () => {
    if (quote.length > 0) out.push(`<blockquote>${quote.join('<br>')}</blockquote>`);
    quote = [];
  };
  for (const line of lines) {
    const quoted = /^(&gt;|>) ?(.*)$/.exec(line);
    if (quoted) quote.push(formatLine(quoted[2] ?? '', context));
    else {
      flush();
      out.push(`${formatLine(line, context)}<br>`);
    }
  }
  flush();
  return out
    .join('')
    .replace(/<br>$/, '')
    .replace(/<br>(<blockquote>)/g, '$1');
}

/** One line: code spans and `<…>` sequences are set aside, then emphasis is applied to what is left. */
function formatLine(line: string, context: RenderContext): string {
  const held: string[] = [];
  const hold = (html: string) => `\uE000${held.push(html) - 1}\uE001`;
  let text = line.replace(/`([^`]+)`/g, (_, code: string) => hold(`<code>${escapeHtml(decodeSlack(code))}</code>`));
  text = text.replace(/<([^<>]+)>/g, (_, inner: string) => hold(control(inner, context)));
  let html = escapeHtml(decodeSlack(text));
  html = emphasis(html, '\\*', 'strong');
  html = emphasis(html, '_', 'em');
  html = emphasis(html, '~', 's');
  html = html.replace(/:([a-z0-9_+-]+):/g, (token, name: string) => EMOJI[name] ?? token);
  return html.replace(PLACEHOLDER, (_, index: string) => held[Number(index)] ?? '');
}

function emphasis(html: string, marker: string, tag: string): string {
  const pattern = new RegExp(`(^|[^\\w])${marker}(?=\\S)([^\\n]*?\\S)${marker}(?=$|[^\\w])`, 'g');
  return html.replace(pattern, (_, before: string, body: string) => `${before}<${tag}>${body}</${tag}>`);
}

/** A `<…>` control sequence: mention, channel, group, date, special mention or link. */
function control(inner: string, context: RenderContext): string {
  const [head = '', label] = splitLabel(inner);
  const mention = (cls: string, text: string) => `<span class="mention ${cls}">${escapeHtml(text)}</span>`;
  if (head.startsWith('@')) {
    const id = head.slice(1);
    return mention('user', `@${context.users.get(id) ?? label ?? id}`);
  }
  if (head.startsWith('#')) {
    const id = head.slice(1);
    return mention('channel', `#${context.channels.get(id) ?? label ?? id}`);
  }
  if (head.startsWith('!subteam^')) {
    const id = head.slice('!subteam^'.length);
    return mention('group', `@${context.groups.get(id) ?? label?.replace(/^@/, '') ?? id}`);
  }
  if (head.startsWith('!date^')) {
    const [, seconds = '', format = ''] = head.split('^');
    const formatted = /^\d+$/.test(seconds)
      ? formatSlackDate(Number(seconds) * 1000, decodeSlack(format), context)
      : decodeSlack(label ?? '');
    return `<time>${escapeHtml(formatted)}</time>`;
  }
  if (head.startsWith('!')) return mention('special', `@${label ?? head.slice(1)}`);
  const url = decodeSlack(head);
  const text = decodeSlack(label ?? head);
  if (!/^https?:\/\//i.test(url)) return escapeHtml(text);
  return `<a href="${escapeHtml(url)}" target="_blank" rel="noopener noreferrer">${escapeHtml(text)}</a>`;
}

function splitLabel(inner: string): [string, string | undefined] {
  const bar = inner.indexOf('|');
  return bar < 0 ? [inner, undefined] : [inner.slice(0, bar), inner.slice(bar + 1)];
}

/** Slack's own three entities back to characters (HTML escaping follows). */
function decodeSlack(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
