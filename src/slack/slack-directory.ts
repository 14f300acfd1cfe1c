import type { WebClient } from '@slack/web-api';
import type { Clock } from '../service/ports/clock.js';
import type { Directory, DirectoryUser } from '../service/ports/directory.js';

export interface SlackDirectoryDeps {
  readonly client: WebClient;
  /** How long an answer is reused. Short: group membership decides who may approve. */
  readonly ttlMs?: number;
  readonly now: Clock;
}

/** Past this many cached entries, expired ones are dropped (a busy workspace has many users). */
const SWEEP_AT = 5_000;

/**
 * The Directory port over Slack: user groups (usergroups.users.list) and users (users.info),
 * each answer cached for `ttlMs`. Every policy check resolves groups, so without the cache one
 * click would cost a Slack call per group. Concurrent lookups of the same id share one call.
 * A failed call is not cached and throws: approving on a guess about who is in a group would
 * be worse than refusing the click.
 */
export function createSlackDirectory(deps: SlackDirectoryDeps): Directory {
  const ttlMs = deps.ttlMs ?? 60_000;
  const groups = new TtlCache<readonly string[]>(ttlMs, deps.now);
  const users = new TtlCache<DirectoryUser | undefined>(ttlMs, deps.now);

  return {
    membersOf(groupId: string): Promise<readonly string[]> {
      return groups.get(groupId, async () => {
        const response = await deps.client.usergroups.users.list({ usergroup: groupId });
        return response.users ?? [];
      });
    },

    user(userId: string): Promise<DirectoryUser | undefined> {
      return users.get(userId, async () => {
        try {
          const { user } = await deps.client.users.info({ user: userId });
          if (!user?.id) return undefined;
          const profile = user.profile ?? {};
          return {
            id: user.id,
            name: profile.display_name || user.real_name || profile.real_name || user.name || user.id,
            ...(profile.email ? { email: profile.email } : {}),
            deleted: user.deleted ?? false,
            isBot: user.is_bot ?? false,
          };
        } catch (error) {
          if (slackErrorCode(error) === 'user_not_found') return undefined;
          throw error;
        }
      });
    },
  };
}

/** The `error` of an `ok: false` answer, as the WebClient attaches it (`error.data.error`). */
function slackErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('data' in error)) return undefined;
  const data: unknown = error.data;
  if (typeof data !== 'object' || data === null || !('error' in data)) return undefined;
  return typeof data.error === 'string' ? data.error : undefined;
}

class TtlCache<T> {
  private readonly entries = new Map<string, { readonly at: number; readonly value: Promise<T> }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: Clock,
  ) {}

  get(key: string, load: () => Promise<T>): Promise<T> {
    const now = this.now();
    const cached = this.entries.get(key);
    if (cached && now - cached.at < this.ttlMs) return cached.value;
    if (this.entries.size >= SWEEP_AT) this.sweep(now);
    const value = load();
    this.entries.set(key, { at: now, value });
    // A failure is not an answer: forget it so the next call asks Slack again.
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    return value;
  }

  private sweep(now: number): void {
    for (const [key, entry] of this.entries) if (now - entry.at >= this.ttlMs) this.entries.delete(key);
  }
}
