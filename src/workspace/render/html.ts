/** HTML escaping for text and attribute values: nothing given here ever becomes markup. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ENTITIES[char] ?? char);
}

const HTML_ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Who and what ids stand for, and where and when the reader is: what mentions and dates render as. */
export interface RenderContext {
  readonly users: ReadonlyMap<string, string>;
  readonly groups: ReadonlyMap<string, string>;
  readonly channels: ReadonlyMap<string, string>;
  /** The reader's IANA time zone: Slack shows each date token in it. */
  readonly timeZone: string;
  /** Epoch ms, for "Today" and "Tomorrow". */
  readonly now: number;
}
