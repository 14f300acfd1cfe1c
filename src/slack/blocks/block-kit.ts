import type {
  ContextBlock,
  HeaderBlock,
  KnownBlock,
  MrkdwnElement,
  PlainTextElement,
  SectionBlock,
} from '@slack/types';

/*
 * The few Block Kit shapes Jumpgate's messages are made of, with Slack's size limits applied in
 * one place. Every string given to `mrkdwn` here must already be escaped (see ../mrkdwn.ts):
 * these helpers place text, they never interpret it.
 */

/** A message as chat.postMessage and respond() take it: `text` is the notification fallback. */
export interface SlackMessage {
  readonly text: string;
  readonly blocks: KnownBlock[];
}

/** Block Kit's limits (https://docs.slack.dev/reference/block-kit/blocks). */
export const LIMITS = {
  sectionText: 3000,
  fieldText: 2000,
  fields: 10,
  headerText: 150,
  contextElements: 10,
  /** The top-level `text` of a message. */
  messageText: 4000,
} as const;

/**
 * Always `verbatim: true`. With Slack's default (false) Slack also reads the plain words: a URL
 * becomes a link, `#name` a channel link, `@here`-like words mentions. Our text is escaped and
 * carries people's words (reasons, names); what we mean as a link or mention we write in the
 * explicit `<…>` form, which verbatim text still renders.
 */
export function mrkdwn(text: string): MrkdwnElement {
  return { type: 'mrkdwn', text, verbatim: true };
}

export function plainText(text: string): PlainTextElement {
  return { type: 'plain_text', text, emoji: true };
}

export function header(text: string): HeaderBlock {
  return { type: 'header', text: plainText(clip(text, LIMITS.headerText)) };
}

export function section(text: string): SectionBlock {
  return { type: 'section', text: mrkdwn(clip(text, LIMITS.sectionText)) };
}

/** A two-column section of `*label*\nvalue` pairs; fields past Slack's ten are left out. */
export function fields(pairs: readonly (readonly [label: string, value: string])[]): SectionBlock {
  return {
    type: 'section',
    fields: pairs
      .slice(0, LIMITS.fields)
      .map(([label, value]) => mrkdwn(clip(`*${label}*\n${value}`, LIMITS.fieldText))),
  };
}

export function context(...texts: string[]): ContextBlock {
  return {
    type: 'context',
    elements: texts.slice(0, LIMITS.contextElements).map((text) => mrkdwn(clip(text, LIMITS.sectionText))),
  };
}

export function divider(): KnownBlock {
  return { type: 'divider' };
}

/**
 * A last guard for text that is already escaped: user text is clipped before escaping (see
 * `escapeClipped`), so this only bites when many pieces together run long.
 */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  // Never leave half an entity or half a `<…>` mention behind: cut before it instead.
  const open = Math.max(cut.lastIndexOf('<'), cut.lastIndexOf('&'));
  const safe = open > cut.lastIndexOf('>') && open > cut.lastIndexOf(';') ? cut.slice(0, open) : cut;
  return `${safe}…`;
}

/** The notification fallback of a line: the same words without its leading emoji code. */
export function withoutEmoji(line: string): string {
  return line.replace(/^:[a-z_]+: /, '');
}
