import type { RequestListener, ServerResponse } from 'node:http';

/**
 * The largest /slack/events body taken. Slack's slash commands and interaction payloads (a
 * modal's whole view included) stay well under it; anything bigger comes from someone else.
 */
export const SLACK_BODY_LIMIT = 64 * 1024;

/**
 * Bolt reads the whole body before it checks the signature, so an unauthenticated stranger
 * decides how much memory each request takes (Bolt's own default is 4 MB). A declared length
 * over the cap is refused with 413 before a byte of the body is read; a body without one
 * (chunked) is cut off by Bolt's `bodyLimit` at the same size. Either way the connection is
 * closed after the answer, so the rest is never read.
 */
export function withBodyCap(listener: RequestListener, limit = SLACK_BODY_LIMIT): RequestListener {
  return (req, res) => {
    res.once('finish', () => {
      if (!req.complete) req.socket.destroy();
    });
    const declared = Number(req.headers['content-length'] ?? Number.NaN);
    if (Number.isFinite(declared) && declared > limit) return refuse(res, limit);
    listener(req, res);
  };
}

function refuse(res: ServerResponse, limit: number): void {
  res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
  res.end(JSON.stringify({ error: { code: 'body_too_large', message: `at most ${limit} bytes are taken here` } }));
}
