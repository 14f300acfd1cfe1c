import type { KnownBlock } from '@slack/types';
import type { AccessRequest } from '../../domain/access-request.js';
import { distinctApprovers } from '../../domain/approval.js';
import { formatDuration } from '../../domain/duration.js';
import type { ExtendChoice } from '../../domain/extension.js';
import { code, codeBlock, escapeMrkdwn, slackDate } from '../mrkdwn.js';
import { context, LIMITS, type SlackMessage, section } from './block-kit.js';
import { grantActions } from './grant-actions.js';
import { vendorLabel } from './request-facts.js';

/** Slack allows 50 blocks in a message; up to three per request, with room for the header and the note. */
const MAX_SHOWN = 16;

/**
 * `/jump list`: the caller's pending requests and live grants, with the ids `/jump revoke`
 * takes. Only pending, approved and active requests are expected here (see listMine).
 */
export function listMessage(
  requests: readonly (AccessRequest & { readonly extendChoices?: readonly ExtendChoice[] })[],
  now: number,
): SlackMessage {
  if (requests.length === 0) {
    const line = `You have nothing pending or active. Ask for access with ${code('/jump request <target>')}.`;
    return { text: 'You have nothing pending or active.', blocks: [section(line)] };
  }
  const shown = requests.slice(0, MAX_SHOWN);
  const blocks: KnownBlock[] = [section(`*Your pending requests and active grants* (${requests.length})`)];
  for (const request of shown) {
    blocks.push(section(describe(request, now)));
    // The certificate again, for when its DM did not arrive (Slack was down when it was issued).
    const certificate = request.status === 'active' ? request.grant?.certificate : undefined;
    if (certificate && certificate.length <= LIMITS.sectionText - 10) blocks.push(section(codeBlock(certificate)));
    // Extend (what the workflow allows now) and I'm done, for a running grant.
    const actions = grantActions(request, request.extendChoices ?? []);
    if (actions) blocks.push(actions);
  }
  if (requests.length > shown.length) blocks.push(context(`and ${requests.length - shown.length} more`));
  return {
    text: `You have ${requests.length} pending or active ${requests.length === 1 ? 'request' : 'requests'}.`,
    blocks,
  };
}

function describe(request: AccessRequest & { readonly extendChoices?: readonly ExtendChoice[] }, now: number): string {
  const vendor = request.vendor ? ` (vendor session for ${vendorLabel(request.vendor)})` : '';
  const target = `*${escapeMrkdwn(request.target)}*${vendor}`;
  const { grant } = request;
  switch (request.status) {
    case 'pending': {
      const approved = distinctApprovers(request).length;
      return (
        `:hourglass_flowing_sand: ${target} · pending (${approved} of ${request.approvalsRequired} approvals) · ` +
        `${formatDuration(request.durationMs)} · ${code(request.id)} · asked ${slackDate(request.createdAt)}`
      );
    }
    case 'approved':
      return `:white_check_mark: ${target} · approved, the certificate is being issued · ${code(request.id)}`;
    case 'active': {
      if (!grant) return `:large_green_circle: ${target} · active · ${code(request.id)}`;
      const left = grant.notAfter > now ? ` (${formatDuration(roundUpToMinute(grant.notAfter - now))} left)` : '';
      return (
        `:large_green_circle: ${target} · active until ${slackDate(grant.notAfter)}${left} · ${code(grant.id)} · ` +
        ((request.extendChoices?.length ?? 0) > 0
          ? `extend it with ${code(`/jump extend ${grant.id} <duration>`)}, `
          : '') +
        `end it with ${code(`/jump revoke ${grant.id}`)}`
      );
    }
    // listMine shows only pending and live requests; should another slip in, it is named plainly.
    case 'expired':
    case 'revoked':
    case 'denied':
    case 'cancelled':
    case 'timed_out':
    case 'failed':
      return `${target} · ${request.status.replace('_', ' ')} · ${code(request.id)}`;
  }
}

/** "25m left" reads better than "24m37s left" in a list that is already out of date when read. */
function roundUpToMinute(ms: number): number {
  return Math.ceil(ms / 60_000) * 60_000;
}
