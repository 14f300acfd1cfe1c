/*
 * Slack mrkdwn is parsed for control sequences: `<@U…>` mentions a person, `<!channel>` pings a
 * whole channel, `<http://x|y>` shows "y" but links to x. Anything a person typed (a reason, a
 * ticket, a vendor's name) or an operator configured (target and host names) must therefore be
 * escaped before it is put into mrkdwn. Plain `@channel` needs no escaping: Jumpgate never
 * posts with `link_names`, and its text objects are `verbatim`, so Slack leaves it as text.
 */

const USER_ID = /^[UW][A-Z0-9]+$/;
const GROUP_ID = /^S[A-Z0-9]+$/;
const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

// Slack has no escape for a backtick inside code, so one would end the code span early and let
// the rest be read as mrkdwn. U+02CB MODIFIER LETTER GRAVE ACCENT looks the same and is inert.
const INERT_BACKTICK = '\u02cb';

/** `&`, `<` and `>` as Slack's three entities: the text then renders as itself, never as a ping or link. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/[&<>]/g, (char) => ENTITIES[char] ?? char);
}

/**
 * `escapeMrkdwn(text)`, cut to at most `max` characters with `…` at the end when longer. The cut
 * falls between whole characters of the original, so it never splits an entity such as `&amp;`
 * (Block Kit refuses a section over 3,000 characters, a field over 2,000).
 */
export function escapeClipped(text: string, max: number): string {
  const escaped = escapeMrkdwn(text);
  if (escaped.length <= max) return escaped;
  let out = '';
  for (const char of text) {
    const next = ENTITIES[char] ?? char;
    if (out.length + next.length > max - 1) break;
    out += next;
  }
  return `${out}…`;
}

/** A mention of a Slack user (`<@U…>`); anything that is not a user ID is shown as escaped text. */
export function mentionUser(id: string): string {
  return USER_ID.test(id) ? `<@${id}>` : escapeMrkdwn(id);
}

/** A mention of a Slack user group (`<!subteam^S…>`); anything else is shown as escaped text. */
export function mentionGroup(id: string): string {
  return GROUP_ID.test(id) ? `<!subteam^${id}>` : escapeMrkdwn(id);
}

/** A channel link (`<#C…>`); anything that is not a channel ID is shown as escaped text. */
export function mentionChannel(id: string): string {
  return /^[CGD][A-Z0-9]+$/.test(id) ? `<#${id}>` : escapeMrkdwn(id);
}

/**
 * A date each reader sees in their own time zone (`<!date^SECONDS^FORMAT|FALLBACK>`); clients
 * that cannot render it show the fallback, the same instant in UTC.
 */
export function slackDate(epochMs: number, format = '{date_short_pretty} {time}'): string {
  const seconds = Math.floor(epochMs / 1000);
  return `<!date^${seconds}^${format}|${utcFallback(epochMs)}>`;
}

/** `2027-01-15 08:30 UTC`: readable by a person, unambiguous for a log search. */
export function utcFallback(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Inline code. Backticks and line breaks in `text` cannot end the code span early. */
export function code(text: string): string {
  const inline = escapeMrkdwn(text)
    .replaceAll('`', INERT_BACKTICK)
    .replace(/\s*[\r\n]+\s*/g, ' ');
  // An empty code span renders as two stray backticks; show a visible blank instead.
  return inline === '' ? '` `' : `\`${inline}\``;
}

/**
 * A preformatted block. Only a run of three backticks would end it, so such runs are made inert;
 * everything else (a certificate, a command) is kept exactly, to be copied from Slack.
 */
export function codeBlock(text: string): string {
  const body = escapeMrkdwn(text).replace(/`{3,}/g, (run) => INERT_BACKTICK.repeat(run.length));
  return `\`\`\`${body}\`\`\``;
}

/**
 * A link showing `label` (escaped, clipped to `maxLabel`). Only an http(s) URL becomes a link,
 * normalised by the URL parser; `|` (which would end the URL and start the label) is
 * percent-encoded and `&` made an entity. Anything else is shown as the label alone: a URL from
 * another system (PagerDuty's incident page) must not turn into a `<!channel>` or a mention.
 */
export function link(url: string, label: string, maxLabel = 300): string {
  const text = escapeClipped(label, maxLabel);
  let href: string;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return text;
    href = parsed.href;
  } catch {
    return text;
  }
  // The parser already percent-encodes spaces, quotes, `<` and `>`; `|` it leaves alone.
  return `<${escapeMrkdwn(href.replace(/\|/g, '%7C'))}|${text}>`;
}
