import { distinctApprovers } from '../../domain/approval.js';
import { SYSTEM_ACTOR } from '../../domain/audit-entry.js';
import { formatDuration } from '../../domain/duration.js';
import { extendChoices } from '../../domain/extension.js';
import type { Notice } from '../../service/ports/notifier.js';
import type { RequestView } from '../../service/support/request-view.js';
import { code, escapeClipped, escapeMrkdwn, mentionUser, slackDate } from '../mrkdwn.js';
import { failureText } from '../public-text.js';
import { context, type SlackMessage, section, withoutEmoji } from './block-kit.js';
import { grantActions } from './grant-actions.js';
import { grantedNotice } from './granted-notice.js';
import { vendorLabel } from './request-facts.js';
import { approvedBy, retryActions, WAITING } from './retry-actions.js';

const MAX_REASON = 1_500;

/**
 * The direct message a requester gets at each moment of their request. `now` is only for "in N
 * minutes": every absolute time is a Slack date, shown in the reader's own time zone.
 */
export function noticeMessage(notice: Notice, now: number): SlackMessage {
  switch (notice.type) {
    case 'granted':
      return grantedNotice(notice.view, notice.certificate);
    case 'extended':
      return extendedNotice(notice.view, notice.certificate);
    case 'extension_denied':
      return extensionDenied(notice.view);
    case 'expiring':
      return expiring(notice.view, now);
    case 'ended':
      return ended(notice.view);
    case 'closed':
      return closed(notice.view, now);
    case 'waiting':
      return waiting(notice.view);
  }
}

function expiring({ request, target, workflow }: RequestView, now: number): SlackMessage {
  const notAfter = request.grant?.notAfter ?? now;
  const left = notAfter - now;
  const minutes = Math.round(left / 60_000);
  const within = left < 60_000 ? 'in less than a minute' : `in ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}`;
  const name = escapeMrkdwn(target.name);
  const whose = accessOf(request, name);
  const line = `:hourglass: ${whose} ends ${within}, at ${slackDate(notAfter)}.`;
  const choices = extendChoices(request, workflow, now);
  const save = request.vendor ? 'tell the vendor to save their work.' : 'save your work.';
  const more =
    choices.length > 0 && request.grant
      ? `For more time, extend it below or with ${code(`/jump extend ${request.grant.id} <duration>`)}; done already? End it now.`
      : request.vendor
        ? `For more time, sponsor a new session: ${code(`/jump vendor ${request.vendor.email} ${target.name} <duration> <reason>`)}`
        : `For more time, request again: ${code(`/jump request ${target.name}`)}`;
  const shown = message(
    `${line} The certificate stops working then; ${save} ${more}`,
    request,
    withoutEmoji(`${whose} ends ${within}`).replace(/\*/g, ''),
  );
  const actions = grantActions(request, choices);
  return actions ? { ...shown, blocks: [...shown.blocks.slice(0, 1), actions, ...shown.blocks.slice(1)] } : shown;
}

/** The new certificate of an extended grant, with how it was extended. */
function extendedNotice(view: RequestView, certificate: string): SlackMessage {
  const { request, target } = view;
  const last = request.extensions?.at(-1);
  const granted = grantedNotice(view, certificate);
  const how =
    last?.how === 'approved'
      ? `approved by ${last.approvals.map((approval) => mentionUser(approval.userId)).join(', ')}`
      : last?.how === 'incident'
        ? 'granted at once while its incident is open'
        : 'granted at once';
  const added = last ? `+${formatDuration(last.addedMs)}, ` : '';
  const line =
    `:arrows_counterclockwise: Your access to *${escapeMrkdwn(target.name)}* is extended (${added}${how}) until ` +
    `${slackDate(request.grant?.notAfter ?? request.updatedAt)}. Use this new certificate: the old one ` +
    (last ? `(${code(last.previousGrantId)}) ` : '') +
    'is revoked now.';
  return {
    text: `Access to ${escapeMrkdwn(target.name)} extended until ${slackDate(request.grant?.notAfter ?? request.updatedAt)}`,
    blocks: [section(line), ...granted.blocks.slice(1)],
  };
}

function extensionDenied({ request, target }: RequestView): SlackMessage {
  const denial = request.extensionDenial;
  const by = denial ? mentionUser(denial.by) : 'an approver';
  const added = denial ? ` (+${formatDuration(denial.addedMs)})` : '';
  const line =
    `:no_entry: The extension${added} of your access to *${escapeMrkdwn(target.name)}* was denied by ${by}; ` +
    `it still ends at ${slackDate(request.grant?.notAfter ?? request.updatedAt)}.`;
  return message(line, request, withoutEmoji(line));
}

/** Whose access a notice is about: the sponsor reads of their vendor's session, by the vendor's name. */
function accessOf(request: RequestView['request'], name: string, capital = true): string {
  if (!request.vendor) return `${capital ? 'Your' : 'your'} access to *${name}*`;
  return `${capital ? 'The' : 'the'} vendor session of ${vendorLabel(request.vendor)} on *${name}*`;
}

function ended({ request, target }: RequestView): SlackMessage {
  const name = escapeMrkdwn(target.name);
  const whose = accessOf(request, name);
  let line: string;
  if (request.status === 'revoked' && request.revocation?.reason && request.revocation.by === SYSTEM_ACTOR) {
    // Jumpgate ended it by itself (the incident that justified it was resolved): say why.
    const { at, reason } = request.revocation;
    line = `:checkered_flag: ${whose} was revoked at ${slackDate(at)}: ${escapeClipped(reason.replace(/[\s.]+$/, ''), MAX_REASON)}.`;
  } else if (request.status === 'revoked' && request.revocation) {
    const { by, at } = request.revocation;
    line =
      by === request.requester
        ? `:stop_sign: You ended ${accessOf(request, name, false)} at ${slackDate(at)}.`
        : `:stop_sign: ${whose} was revoked by ${mentionUser(by)} at ${slackDate(at)}.`;
  } else if (request.status === 'revoked') {
    line = `:stop_sign: ${whose} was revoked.`;
  } else {
    line = `:checkered_flag: ${whose} has ended: it expired at ${slackDate(request.grant?.notAfter ?? request.updatedAt)}.`;
  }
  // An expired certificate is refused by its own end time; a revoked one once the bastion has the
  // new KRL (the broker writes it at once; a bastion elsewhere fetches it every 30 s).
  const effect =
    request.status === 'revoked' ? 'Bastions refuse the certificate within ~30 s.' : 'The certificate no longer works.';
  return message(`${line} ${effect}`, request, withoutEmoji(line));
}

/** Approved, and the broker is unreachable: the certificate follows by itself (told once, not per try). */
function waiting(view: RequestView): SlackMessage {
  const { request, target } = view;
  const what = request.vendor
    ? `Your vendor session request ${code(request.id)} for ${vendorLabel(request.vendor)} on *${escapeMrkdwn(target.name)}*`
    : `Your request ${code(request.id)} for *${escapeMrkdwn(target.name)}*`;
  const line = `:hourglass: ${what} was approved${approvedBy(view)} — ${WAITING}. The certificate comes here by itself.`;
  return message(line, request, withoutEmoji(line));
}

function closed(view: RequestView, now: number): SlackMessage {
  const { request, target, workflow } = view;
  const what = request.vendor
    ? `Your vendor session request ${code(request.id)} for ${vendorLabel(request.vendor)} on *${escapeMrkdwn(target.name)}*`
    : `Your request ${code(request.id)} for *${escapeMrkdwn(target.name)}*`;
  let line: string;
  switch (request.status) {
    case 'denied': {
      const by = request.decision ? mentionUser(request.decision.by) : 'an approver';
      const reason = request.decision?.reason;
      line = `:no_entry: ${what} was denied by ${by}` + (reason ? `: ${escapeClipped(reason, MAX_REASON)}` : '.');
      break;
    }
    case 'timed_out': {
      const within = formatDuration(workflow.access.requestTimeout);
      const approved = distinctApprovers(request).length;
      line =
        `:alarm_clock: ${what} timed out: ` +
        (approved === 0
          ? `nobody approved it within ${within}.`
          : `only ${approved} of ${request.approvalsRequired} approvals came within ${within}.`) +
        ' You can ask again.';
      break;
    }
    case 'failed': {
      const retry = retryActions(view, now);
      line =
        `:x: ${what} was approved, but access could not be granted: ` +
        `${escapeClipped(failureText(request.failure), MAX_REASON)}. Nothing was granted; ` +
        (retry
          ? 'press Retry once the access broker is back (no new approvals needed), or ask again.'
          : 'you can ask again.');
      if (retry) {
        const shown = message(line, request, withoutEmoji(line));
        return { ...shown, blocks: [...shown.blocks.slice(0, 1), retry, ...shown.blocks.slice(1)] };
      }
      break;
    }
    case 'cancelled': {
      const reason = request.decision?.by === SYSTEM_ACTOR ? request.decision.reason : undefined;
      line =
        `:heavy_multiplication_x: ${what} was cancelled` + (reason ? `: ${escapeClipped(reason, MAX_REASON)}.` : '.');
      break;
    }
    // A closed notice is only sent for the statuses above; anything else is named plainly.
    case 'pending':
    case 'approved':
    case 'active':
    case 'expired':
    case 'revoked':
      line = `${what} is ${request.status}.`;
  }
  return message(line, request, withoutEmoji(line));
}

/** The ids a person may quote: the grant's (what /jump revoke and the granted DM name) once there is one. */
function message(body: string, request: RequestView['request'], text: string): SlackMessage {
  const ids = request.grant
    ? `Grant ${code(request.grant.id)} · request ${code(request.id)}`
    : `Request ${code(request.id)}`;
  return { text, blocks: [section(body), context(ids)] };
}
