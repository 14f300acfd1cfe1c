import type { App } from '@slack/bolt';
import type { ListenerContext } from './context.js';

/**
 * Slack's `user_change`: a person whose account was deactivated (`deleted: true`) is offboarded
 * at once: their grants and requests end, their SSH key goes (see offboard-person.ts). Bolt has
 * acknowledged the event before this runs; a failure is logged and the periodic check catches up.
 */
export function registerPeopleListeners(app: App, context: ListenerContext): void {
  app.event('user_change', async ({ event }) => {
    const user = event.user as { readonly id?: unknown; readonly deleted?: unknown };
    if (typeof user.id !== 'string' || user.deleted !== true) return;
    const userId = user.id;
    try {
      await context.useCases.offboardPerson({ userId, source: 'user_change' });
    } catch (error) {
      context.logger.error({ err: error, userId }, 'could not offboard the person; the periodic check tries again');
    }
  });
}
