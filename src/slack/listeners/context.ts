import type { Logger } from '../../service/ports/logger.js';
import { errorReply } from '../error-message.js';
import type { SlackUseCases } from '../use-cases.js';

export interface ListenerContext {
  readonly useCases: SlackUseCases;
  readonly logger: Logger;
  /** Epoch ms, for rendering. */
  readonly now?: () => number;
}

/**
 * What a person reads when their command or click failed: the coded message for a JumpgateError,
 * a reference for anything else (logged with its stack, which never reaches Slack).
 */
export function replyFor(context: ListenerContext, error: unknown, where: Record<string, unknown>): string {
  const reply = errorReply(error);
  if (reply.reference)
    context.logger.error({ err: error, reference: reply.reference, ...where }, 'unexpected error in a Slack listener');
  else context.logger.info({ code: (error as { code?: string }).code, ...where }, 'refused');
  return reply.text;
}
