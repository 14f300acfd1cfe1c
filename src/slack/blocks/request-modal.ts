import type { KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import { type DurationMs, formatDuration } from '../../domain/duration.js';
import { MAX_REASON_LENGTH } from '../../domain/request-rules.js';
import { ACTION_IDS, REQUEST_FIELDS } from '../action-ids.js';
import { code } from '../mrkdwn.js';
import { context, plainText, section } from './block-kit.js';

/** A target as the request modal offers it. */
export interface ModalTarget {
  readonly name: string;
  readonly workflow: string;
  readonly maxDuration: DurationMs;
  readonly defaultDuration: DurationMs;
}

/** Slack's limits on a static_select and its option texts. */
const MAX_OPTIONS = 100;
const MAX_OPTION_TEXT = 75;

/**
 * The modal behind `/jump request` with no arguments. It offers only the targets given (those
 * the person may request), so nobody is tempted to ask for what policy would refuse; the
 * duration and reason are checked again by the use case, as for the slash command.
 */
export function requestModal(targets: readonly ModalTarget[]): ModalView {
  const base = {
    type: 'modal',
    callback_id: ACTION_IDS.requestModal,
    title: plainText('Request access'),
    close: plainText('Cancel'),
  } as const;
  if (targets.length === 0) {
    return {
      ...base,
      blocks: [section('There is no target you may request. Ask the owners of the workflows to add you.')],
    };
  }
  const offered = targets.slice(0, MAX_OPTIONS);
  const blocks: KnownBlock[] = [
    {
      type: 'input',
      block_id: REQUEST_FIELDS.target.blockId,
      label: plainText('Target'),
      element: {
        type: 'static_select',
        action_id: REQUEST_FIELDS.target.actionId,
        placeholder: plainText('Choose a target'),
        options: offered.map(option),
      },
    },
    {
      type: 'input',
      block_id: REQUEST_FIELDS.duration.blockId,
      label: plainText('Duration'),
      optional: true,
      hint: plainText(
        "Like 90s, 30m, 2h, 1h30m or 1d. Leave it empty for the target's default, shown with each target.",
      ),
      element: {
        type: 'plain_text_input',
        action_id: REQUEST_FIELDS.duration.actionId,
        placeholder: plainText('30m'),
        max_length: 20,
      },
    },
    {
      type: 'input',
      block_id: REQUEST_FIELDS.reason.blockId,
      label: plainText('Reason'),
      hint: plainText(
        `Why you need it: the approvers decide on this, and it stays in the audit trail. At most ${MAX_REASON_LENGTH.toLocaleString('en-US')} characters.`,
      ),
      // Slack stops typing at the limit; the use case checks it again for the slash command.
      element: {
        type: 'plain_text_input',
        action_id: REQUEST_FIELDS.reason.actionId,
        multiline: true,
        max_length: MAX_REASON_LENGTH,
      },
    },
    {
      type: 'input',
      block_id: REQUEST_FIELDS.ticket.blockId,
      label: plainText('Ticket'),
      optional: true,
      hint: plainText('Some targets need one (an incident or change, e.g. INC-42); it may also be in the reason.'),
      element: {
        type: 'plain_text_input',
        action_id: REQUEST_FIELDS.ticket.actionId,
        placeholder: plainText('INC-42'),
        max_length: 200,
      },
    },
  ];
  if (targets.length > MAX_OPTIONS) {
    blocks.push(
      context(
        `Showing ${MAX_OPTIONS} of ${targets.length} targets; for the others type ${code('/jump request <target> [<duration>] [<reason…>]')}`,
      ),
    );
  }
  return { ...base, submit: plainText('Request'), blocks };
}

/** Plain text, so configured names need no mrkdwn escaping here; the description carries the limits. */
function option(target: ModalTarget): PlainTextOption {
  return {
    text: plainText(clipPlain(target.name)),
    value: target.name,
    description: plainText(
      clipPlain(
        `default ${formatDuration(target.defaultDuration)}, max ${formatDuration(target.maxDuration)} · ${target.workflow}`,
      ),
    ),
  };
}

function clipPlain(text: string): string {
  return text.length <= MAX_OPTION_TEXT ? text : `${text.slice(0, MAX_OPTION_TEXT - 1)}…`;
}

/** The modal's targets from what the person may request. */
export function modalTargets(
  targets: readonly {
    readonly target: { readonly name: string };
    readonly workflow: {
      readonly name: string;
      readonly access: { readonly maxDuration: number; readonly defaultDuration: number };
    };
  }[],
): ModalTarget[] {
  return targets.map(({ target, workflow }) => ({
    name: target.name,
    workflow: workflow.name,
    maxDuration: workflow.access.maxDuration,
    defaultDuration: workflow.access.defaultDuration,
  }));
}
