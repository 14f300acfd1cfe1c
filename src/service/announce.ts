import type { AccessRequest } from '../domain/access-request.js';
import type { ServiceDeps } from './deps.js';
import { notifySafely } from './notify-safely.js';
import type { Notice } from './ports/notifier.js';
import { viewOf } from './request-view.js';

/**
 * After a request reached a new status: update its approval message in place and tell the
 * requester. Messages are best effort; the state change has already landed.
 */
export async function announce(
  deps: Pick<ServiceDeps, 'notifier' | 'policy' | 'logger'>,
  request: AccessRequest,
  notice: Exclude<Notice['type'], 'granted'> | undefined,
): Promise<void> {
  const logger = deps.logger.child({ requestId: request.id });
  let view;
  try {
    view = viewOf(deps.policy(), request);
  } catch (error) {
    logger.warn({ err: error }, 'no message sent: the workflow of this request is gone');
    return;
  }
  if (request.message) {
    const ref = request.message;
    await notifySafely(logger, 'the approval message update', () => deps.notifier.updateApprovalMessage(ref, view));
  }
  if (notice) await notifySafely(logger, `the ${notice} DM`, () => deps.notifier.tell(request.requester, { type: notice, view }));
}
