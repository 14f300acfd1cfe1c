/**
 * Whether an answer a person read is an error: the bot's own error replies start with
 * `:boom:` (something went wrong on its side) or `:warning:` (a refusal, with what was wrong);
 * the words are checked too, in case a reply loses its emoji.
 */
export function isErrorAnswer(text: string): boolean {
  return /^\s*:(boom|warning|x):/.test(text) || /something went wrong|unexpected error|try again/i.test(text);
}

/** The request id a `/jump request` confirmation names. */
export function requestIdIn(text: string): string | undefined {
  return /req_[a-z0-9]+/.exec(text)?.[0];
}

/** Counts things by a short label, for the comment lines. */
export function tally(labels: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const label of labels) counts.set(label, (counts.get(label) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([label, count]) => `${count}× ${label}`)
    .join('; ');
}
