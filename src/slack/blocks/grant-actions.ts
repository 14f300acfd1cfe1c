import type { ActionsBlock } from '@slack/types';
import type { AccessRequest } from '../../domain/access-request.js';
import { formatDuration } from '../../domain/duration.js';
import type { ExtendChoice } from '../../domain/extension.js';
import { ACTION_IDS } from '../action-ids.js';
import { extendValue } from '../listeners/button-values.js';
import { plainText } from './block-kit.js';

/**
 * The buttons of a running grant for its holder: one Extend button per step the workflow allows
 * now (the domain's `extendChoices` says which), and I'm done. Undefined unless the grant is active.
 */
export function grantActions(request: AccessRequest, choices: readonly ExtendChoice[]): ActionsBlock | undefined {
  const grant = request.grant;
  if (request.status !== 'active' || !grant) return undefined;
  return {
    type: 'actions',
    block_id: `jump_grant_${grant.id}`,
    elements: [
      ...choices.map((choice) => ({
        type: 'button' as const,
        // Action ids are unique within a block: one per step, all matched by the Extend listener.
        action_id: `${ACTION_IDS.extend}_${choice.addedMs}`,
        text: plainText(`+${formatDuration(choice.addedMs)}${choice.atOnce ? '' : ' (ask)'}`),
        value: extendValue(grant.id, choice.addedMs),
      })),
      {
        type: 'button' as const,
        action_id: ACTION_IDS.done,
        text: plainText('I’m done'),
        value: grant.id,
        confirm: {
          title: plainText('End this access now?'),
          text: plainText(`The certificate for ${request.target} stops working at once.`),
          confirm: plainText('End it'),
          deny: plainText('Keep it'),
        },
      },
    ],
  };
}
