import type { IncomingMessage, ServerResponse } from 'node:http';
import { BrokerHttpError } from './http-error.js';

export const MAX_BODY_BYTES = 64 * 1024;

/** The raw body bytes (the token's `bsh` covers them exactly); 413 past the limit. */
export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const tooLarge = () => new BrokerHttpError(413, 'payload_too_large', `the body is larger than ${limit} bytes`);
  if (Number(req.headers['content-length'] ?? 0) > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

export function sendBytes(res: ServerResponse, contentType: string, body: string | Buffer): void {
  res.writeHead(200, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(body);
}

export function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  // A refused request may still be sending its body; closing keeps us from reading the rest.
  if (status === 413) res.setHeader('connection', 'close');
  sendJson(res, status, { error: { code, message } });
}
