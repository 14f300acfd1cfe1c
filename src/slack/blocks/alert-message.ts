import type { KnownBlock } from '@slack/types';
import type { Alert } from '../../service/ports/notifier.js';
import { code, escapeClipped } from '../mrkdwn.js';
import { context, type SlackMessage, section } from './block-kit.js';

/** Alerts carry error texts from other systems; the whole message must stay one section. */
const MAX_TEXT = 2_800;

/**
 * Something a person must look at (a revocation that keeps failing, a grant that could not be
 * issued), posted in a workflow's channel. The alert's text is plain and may quote anything, so
 * it is escaped like user text.
 */
export function alertMessage(alert: Alert): SlackMessage {
  const body = escapeClipped(alert.text, MAX_TEXT);
  const blocks: KnownBlock[] = [section(`:warning: *Jumpgate needs attention*\n${body}`)];
  if (alert.requestId) blocks.push(context(`Request ${code(alert.requestId)}`));
  return { text: `Jumpgate needs attention: ${escapeClipped(alert.text, MAX_TEXT)}`, blocks };
}
