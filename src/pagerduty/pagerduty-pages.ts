import type { z } from 'zod';
import type { Logger } from '../service/ports/logger.js';
import { malformed } from './pagerduty-failures.js';
import { describeIssue, type PageEnvelope } from './pagerduty-responses.js';
import type { PagerDutyRequest, Send } from './pagerduty-transport.js';

/**
 * Walks PagerDuty's classic pagination (`limit`, `offset`, `more`) to the last page. The walk is
 * bounded: past `maxPages` the rest is left unread and a warning logged, which can only make an
 * answer smaller (fewer on-calls, fewer incidents), never let an approval through that should not.
 */

/** PagerDuty's largest page. */
export const PAGE_LIMIT = 100;
export const MAX_PAGES = 20;

export interface PagedList<P extends PageEnvelope, T> {
  readonly path: PagerDutyRequest['path'];
  readonly query: Readonly<Record<string, string | readonly string[]>>;
  readonly page: z.ZodType<P>;
  readonly items: (page: P) => readonly T[];
  /** Stops the walk early once what was read is enough (e.g. the user searched for is found). */
  readonly enough?: (items: readonly T[]) => boolean;
}

export async function readAllPages<P extends PageEnvelope, T>(
  send: Send,
  list: PagedList<P, T>,
  logger?: Logger,
  maxPages = MAX_PAGES,
): Promise<T[]> {
  const items: T[] = [];
  let offset = 0;
  for (let pages = 0; pages < maxPages; pages++) {
    const answer = await send({
      method: 'GET',
      path: list.path,
      query: { ...list.query, limit: String(PAGE_LIMIT), offset: String(offset) },
    });
    const parsed = list.page.safeParse(answer.data);
    if (!parsed.success) throw malformed(`GET ${list.path}`, describeIssue(parsed.error), parsed.error);
    const page = parsed.data;
    items.push(...list.items(page));
    if (!page.more || list.enough?.(items)) return items;
    // PagerDuty may lower the limit asked for; the page's own limit says where the next one starts.
    offset = page.offset + page.limit;
  }
  logger?.warn(
    { path: list.path, pages: maxPages, read: items.length },
    'PagerDuty has more pages than Jumpgate reads; the rest is ignored',
  );
  return items;
}
