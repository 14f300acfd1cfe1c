import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { ACTION_IDS } from '../action-ids.js';
import { homeView } from '../blocks/home-view.js';
import { modalTargets, requestModal } from '../blocks/request-modal.js';
import type { ListenerContext } from './context.js';

/** App Home: rendered fresh each time the person opens it; its button opens the request modal. */
export function registerAppHomeListeners(app: App, context: ListenerContext): void {
  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    await publishHome(context, client, event.user);
  });

  app.action<BlockAction<ButtonAction>>(ACTION_IDS.openRequestModal, async ({ ack, body, client }) => {
    await ack();
    try {
      const targets = await context.useCases.listTargets(body.user.id);
      await client.views.open({
        trigger_id: body.trigger_id,
        view: requestModal(modalTargets(targets)),
      });
    } catch (error) {
      context.logger.warn({ err: error, userId: body.user.id }, 'could not open the request modal from App Home');
    }
  });
}

/** Renders the person's App Home afresh (opened, or after a click on it changed a grant). */
export async function publishHome(context: ListenerContext, client: WebClient, userId: string): Promise<void> {
  try {
    const [requests, targets] = await Promise.all([
      context.useCases.listMine(userId),
      context.useCases.listTargets(userId),
    ]);
    await client.views.publish({
      user_id: userId,
      view: homeView({ requests, targets, now: (context.now ?? Date.now)() }),
    });
  } catch (error) {
    context.logger.warn({ err: error, userId }, 'could not render App Home');
  }
}
