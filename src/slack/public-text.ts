/*
 * What a person may read of a failure. A failure's message comes from outside the Slack layer (a
 * broker's answer, a record in Redis written by an older version, an unexpected error), so it
 * may carry what only the people who run Jumpgate should see: the broker's address, file
 * paths, stack frames. Those stay in the log; the words around them reach Slack.
 */

const URL_LIKE = /\b[a-z][a-z0-9+.-]*:\/\/[^\s,;)]+/gi;
const ADDRESS = /\b\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?\b|\[[0-9a-f:]+\](?::\d{1,5})?/gi;
/** Two segments at least: `/jump` is a command a message may name, `/var/lib/x` is a path. */
const PATH = /(^|[\s("'=])(?:~|\.{1,2})?\/(?:[\w.@-]+\/)+[\w.@-]+/g;

/** The first line of `text` (a stack follows it) with URLs, IP addresses and paths replaced by words. */
export function withoutInternals(text: string): string {
  const firstLine = text.split('\n', 1)[0] ?? '';
  return firstLine
    .replace(URL_LIKE, 'an internal address')
    .replace(ADDRESS, 'an internal address')
    .replace(PATH, '$1a file on the server')
    .replace(/\s+at\s+\S+\s+\(.*$/, '')
    .trim();
}

/** The failure of a request as its messages show it: what happened, never where. */
export function failureText(failure: { readonly code: string; readonly message: string } | undefined): string {
  const text = failure ? withoutInternals(failure.message) : '';
  return text === '' ? 'the broker did not issue the certificate' : text;
}
