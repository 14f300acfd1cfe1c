import type { HomeView, KnownBlock } from '@slack/types';
import type { AccessRequest } from '../../domain/access-request.js';
import type { ExtendChoice } from '../../domain/extension.js';
import type { Target, Workflow } from '../../domain/workflow.js';
import { ACTION_IDS } from '../action-ids.js';
import { code } from '../mrkdwn.js';
import { context, divider, header, section } from './block-kit.js';
import { listMessage } from './list-message.js';
import { targetsMessage } from './targets-message.js';

/** Slack allows 100 blocks in a Home tab; the lists below are already capped well under that. */
const MAX_BLOCKS = 100;

/**
 * The App Home tab: a button to ask for access, what the person has pending or active, and what
 * they may request. Built from the same pieces as `/jump list` and `/jump targets`.
 */
export function homeView(input: {
  requests: readonly (AccessRequest & { readonly extendChoices?: readonly ExtendChoice[] })[];
  targets: readonly { readonly target: Target; readonly workflow: Workflow }[];
  now: number;
}): HomeView {
  const blocks: KnownBlock[] = [
    header('Jumpgate'),
    section('Time-bound access to jump servers, approved in Slack. Access ends by itself; every decision is recorded.'),
    {
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: ACTION_IDS.openRequestModal,
          style: 'primary',
          text: { type: 'plain_text', text: 'Request access', emoji: true },
        },
      ],
    },
    divider(),
    ...listMessage(input.requests, input.now).blocks,
    divider(),
    ...targetsMessage(input.targets).blocks,
    context(`Type ${code('/jump help')} in any channel for every command.`),
  ];
  return { type: 'home', blocks: blocks.slice(0, MAX_BLOCKS) };
}
