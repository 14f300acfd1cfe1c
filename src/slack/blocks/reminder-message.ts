import { approvalsMissing, distinctApprovers } from '../../domain/approval.js';
import { type ApproverSet, approverSetFor } from '../../domain/approver-set.js';
import { formatDuration } from '../../domain/duration.js';
import type { RequestView } from '../../service/support/request-view.js';
import { code, escapeMrkdwn, mentionGroup, mentionUser, slackDate } from '../mrkdwn.js';
import { context, type SlackMessage, section } from './block-kit.js';
import { reviewerMentions } from './review-facts.js';

/**
 * The reminder posted in the approval message's thread when a request has waited too long, or
 * when a breakglass's post-hoc review is overdue. It mentions who may act now (the escalation
 * approvers too, once a request is escalated, and always for an overdue review), because a
 * thread reply nobody is mentioned in notifies nobody.
 */
export function reminderMessage(view: RequestView): SlackMessage {
  const { request, workflow, target } = view;
  if (request.kind === 'breakglass') return reviewReminder(view);
  const escalated = request.escalated === true;
  const missing = approvalsMissing(request);
  const deciders = mentionsOf(deciderSet(view, escalated), view);
  const waited =
    workflow.access.escalateAfter === undefined ? '' : ` for ${formatDuration(workflow.access.escalateAfter)}`;
  const lead =
    `:bell: ${mentionUser(request.requester)}'s request ${code(request.id)} for *${escapeMrkdwn(target.name)}* ` +
    `(${formatDuration(request.durationMs)}) has waited${waited} and needs ${missing} more ${missing === 1 ? 'approval' : 'approvals'}.`;
  const who =
    deciders === ''
      ? ''
      : `\n${escalated ? 'Escalated: it can now be decided by' : 'It can be decided by'} ${deciders}.`;
  return {
    text: `Reminder: request ${request.id} for ${escapeMrkdwn(target.name)} is waiting for approval`,
    blocks: [section(`${lead}${who}\nUse Approve or Deny on the message above.`)],
  };
}

/** The service reminds only while the review is overdue, so this always asks for it. */
function reviewReminder(view: RequestView): SlackMessage {
  const { request, target } = view;
  const who = reviewerMentions(view);
  const due = request.review ? ` (due ${slackDate(request.review.dueAt)})` : '';
  const line = `:warning: Review overdue: ${who === '' ? '' : `${who} `}please review this breakglass${due}.`;
  return {
    text: `Review overdue: breakglass ${request.id} on ${escapeMrkdwn(target.name)} needs its post-hoc review`,
    blocks: [section(line), context('Use Reviewed: OK or Flag on the message above.')],
  };
}

function deciderSet(view: RequestView, escalated: boolean): ApproverSet {
  try {
    return approverSetFor(view.workflow, view.request.kind, escalated);
  } catch {
    // A workflow that lost its vendor rules mid-request: its access approvers still decide.
    return {
      set: view.workflow.access.approvers,
      approvalsRequired: view.request.approvalsRequired,
      allowSelfApproval: false,
    };
  }
}

/** Everyone who could still add an approval: not the requester (unless allowed), not who already approved. */
function mentionsOf({ set, allowSelfApproval }: ApproverSet, view: RequestView): string {
  const { request } = view;
  const done = new Set(distinctApprovers(request));
  const users = set.users.filter((id) => !done.has(id) && (id !== request.requester || allowSelfApproval));
  return [...users.map(mentionUser), ...set.groups.map(mentionGroup)].join(', ');
}
