import type { KnownBlock } from '@slack/types';
import { formatDuration } from '../../domain/duration.js';
import type { Target, Workflow } from '../../domain/workflow.js';
import { code, escapeMrkdwn } from '../mrkdwn.js';
import { context, type SlackMessage, section } from './block-kit.js';
import { escapedList } from './request-facts.js';

/** Slack allows 50 blocks in a message; one per target, with room for the header and the note. */
const MAX_SHOWN = 45;

/** `/jump targets`: what the caller may request, with the limits that will apply. */
export function targetsMessage(
  targets: readonly { readonly target: Target; readonly workflow: Workflow }[],
): SlackMessage {
  if (targets.length === 0) {
    return {
      text: 'There is no target you may request.',
      blocks: [section('There is no target you may request. Ask the owners of the workflows to add you.')],
    };
  }
  const shown = targets.slice(0, MAX_SHOWN);
  const blocks: KnownBlock[] = [section(`*Targets you may request* (${targets.length})`)];
  for (const { target, workflow } of shown) blocks.push(section(describe(target, workflow)));
  if (targets.length > shown.length) blocks.push(context(`and ${targets.length - shown.length} more`));
  blocks.push(context(`Ask with ${code('/jump request <target> [<duration>] [<reason…>]')}`));
  return { text: `You may request ${targets.length} ${targets.length === 1 ? 'target' : 'targets'}.`, blocks };
}

function describe(target: Target, workflow: Workflow): string {
  const { access, breakglass } = workflow;
  const approvals = `${access.approvalsRequired} ${access.approvalsRequired === 1 ? 'approval' : 'approvals'} required`;
  const emergency = breakglass?.allowed
    ? `breakglass: yes (up to ${formatDuration(breakglass.maxDuration)})`
    : 'breakglass: no';
  return (
    `*${escapeMrkdwn(target.name)}* — hosts: ${escapedList(target.hosts)}\n` +
    `max ${formatDuration(access.maxDuration)} (default ${formatDuration(access.defaultDuration)}) · ${approvals} · ${emergency}`
  );
}
