import type { AccessRequest } from '../../domain/access-request.js';
import { code, escapeMrkdwn, mentionUser, slackDate } from '../mrkdwn.js';
import { type SlackMessage, section, withoutEmoji } from './block-kit.js';
import { vendorLabel } from './request-facts.js';

/**
 * The ephemeral answer to `/jump revoke`. The grant may have expired by itself a moment before
 * (revocation and expiry race), which is said plainly: either way the access has ended.
 */
export function revokedMessage(request: AccessRequest): SlackMessage {
  const grantId = request.grant?.id ?? request.id;
  const vendor = request.vendor ? `, the vendor session of ${vendorLabel(request.vendor)}` : '';
  const what = `${code(grantId)} (${escapeMrkdwn(request.target)}${vendor})`;
  let line: string;
  if (request.status === 'revoked') {
    const at = slackDate(request.revocation?.at ?? request.updatedAt);
    const role = request.vendor ? 'sponsored' : 'held';
    const holder =
      request.revocation?.by === request.requester ? '' : `, ${role} by ${mentionUser(request.requester)},`;
    // The bastion learns it from the KRL: at once where the broker runs, within the 30 s fetch elsewhere.
    line = `:stop_sign: Revoked ${what}${holder} at ${at}: bastions refuse the certificate within ~30 s.`;
  } else if (request.status === 'expired') {
    line = `:checkered_flag: ${what} had already expired at ${slackDate(request.grant?.notAfter ?? request.updatedAt)}: the access has ended.`;
  } else {
    line = `${what} is ${request.status.replace('_', ' ')}.`;
  }
  return { text: withoutEmoji(line), blocks: [section(line)] };
}
