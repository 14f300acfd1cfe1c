import { createHash, randomUUID } from 'node:crypto';
import { isJumpgateError } from '../../../domain/errors.js';
import type { Policy } from '../../../domain/workflow.js';
import type { LifecycleDeps } from '../../deps.js';
import { notifySafely } from '../../support/notify-safely.js';
import type { PolicyHolder } from '../../support/policy-holder.js';
import type { createApplyPolicy, PolicyApplied } from './apply-policy.js';

/** How long the same invalid files are not posted again by any replica (they all reload within seconds). */
const POSTED_FOR_MS = 10 * 60_000;

export type ReloadOutcome =
  | { readonly outcome: 'unchanged'; readonly hash: string }
  | ({ readonly outcome: 'applied'; readonly hash: string } & PolicyApplied)
  /** The files are invalid: the policy that was running stays in force. */
  | { readonly outcome: 'invalid'; readonly problems: readonly string[] };

/**
 * A reload (SIGHUP, or the workflow files changed): reads the files again. Invalid files keep the
 * policy that was running: the `file: path: what` lines are logged and posted to the admin channel,
 * once for the same problems between all replicas (the first to claim them posts). The same files as in force change nothing. Anything else is put in
 * force (see apply-policy.ts).
 */
export function createReloadPolicy(
  deps: Pick<LifecycleDeps, 'store' | 'notifier' | 'logger' | 'adminChannel'> & {
    readonly holder: PolicyHolder;
    /** Reads and validates the workflow files; throws `workflow_invalid` listing every problem. */
    readonly load: () => Promise<{ readonly policy: Policy; readonly hash: string }>;
  },
  applyPolicy: ReturnType<typeof createApplyPolicy>,
) {
  let lastPosted = '';
  /** Every replica sees the same invalid files: the one that claims them posts. */
  const firstToPost = async (problems: string) => {
    const key = `policy-invalid:${createHash('sha256').update(problems).digest('hex').slice(0, 32)}`;
    const token = randomUUID();
    return (await deps.store.claim(key, token, POSTED_FOR_MS).catch(() => token)) === token;
  };
  return async function reloadPolicy(): Promise<ReloadOutcome> {
    let loaded: { readonly policy: Policy; readonly hash: string };
    try {
      loaded = await deps.load();
    } catch (error) {
      if (!isJumpgateError(error, 'workflow_invalid')) throw error;
      const problems = error.message.split('\n');
      deps.logger.error({ problems }, 'the workflow files are invalid; the policy that was running stays in force');
      if (deps.adminChannel && error.message !== lastPosted && (await firstToPost(error.message))) {
        lastPosted = error.message;
        const channel = deps.adminChannel;
        const text = `The workflow files were changed but are invalid; the policy that was running stays in force (${deps.holder.hash().slice(0, 12)}).\n${error.message}`;
        await notifySafely(deps.logger, 'the reload error', () => deps.notifier.alert({ channel, text }));
      }
      return { outcome: 'invalid', problems };
    }
    lastPosted = '';
    if (loaded.hash === deps.holder.hash()) return { outcome: 'unchanged', hash: loaded.hash };
    const applied = await applyPolicy(loaded);
    deps.logger.info(
      { hash: loaded.hash, change: applied.change, retired: applied.retired, recorded: applied.recorded },
      'workflows reloaded',
    );
    return { outcome: 'applied', hash: loaded.hash, ...applied };
  };
}
