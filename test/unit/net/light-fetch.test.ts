import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lightFetch } from '../../../src/net/light-fetch.js';

/** lightFetch against a real HTTP server: the answers global fetch would give, for the calls the bot makes. */
let server: http.Server;
let base: string;
const seen: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      if (req.url === '/slow') return void setTimeout(() => res.end('late'), 2_000);
      if (req.url === '/moved') return void res.writeHead(302, { location: '/elsewhere' }).end();
      if (req.url === '/empty') return void res.writeHead(204).end();
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.writeHead(req.url === '/limited' ? 429 : 200, { 'content-type': 'application/json', 'retry-after': '3' });
      res.end(JSON.stringify({ ok: true, echo: body }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('lightFetch', () => {
  it('posts a string body with its headers and answers with status, headers and body as a Response', async () => {
    const response = await lightFetch(`${base}/api/chat.postMessage`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: 'Bearer xoxb-1' },
      body: 'channel=C1&text=hi',
    });
    expect(response).toBeInstanceOf(Response);
    expect(response.status).toBe(200);
    expect(response.ok).toBe(true);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('set-cookie')).toBe('a=1, b=2');
    expect(await response.json()).toEqual({ ok: true, echo: 'channel=C1&text=hi' });
    expect(seen.at(-1)).toMatchObject({
      method: 'POST',
      url: '/api/chat.postMessage',
      headers: { authorization: 'Bearer xoxb-1', 'accept-encoding': 'identity' },
    });
  });

  it('sends URLSearchParams form-encoded, and answers a 429 rather than throwing', async () => {
    const response = await lightFetch(new URL(`${base}/limited`), {
      method: 'POST',
      body: new URLSearchParams({ a: '1 2' }),
    });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('3');
    expect(seen.at(-1)?.headers['content-type']).toBe('application/x-www-form-urlencoded;charset=UTF-8');
    expect(seen.at(-1)?.body).toBe('a=1+2');
  });

  it('answers a 204 with no body', async () => {
    const response = await lightFetch(`${base}/empty`, { method: 'DELETE' });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
  });

  it('rejects with the signal’s reason on a timeout, as fetch does (a TimeoutError)', async () => {
    const error = await lightFetch(`${base}/slow`, { signal: AbortSignal.timeout(100) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe('TimeoutError');
  });

  it('rejects with TypeError("fetch failed") and the cause when nothing listens, or on a redirect with redirect: "error"', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = await lightFetch(`http://127.0.0.1:${port}/`).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TypeError);
    expect((refused as TypeError).message).toBe('fetch failed');
    expect(String((refused as TypeError).cause)).toContain('ECONNREFUSED');

    const redirected = await lightFetch(`${base}/moved`, { redirect: 'error' }).catch((e: unknown) => e);
    expect(redirected).toBeInstanceOf(TypeError);
    expect(String((redirected as TypeError).cause)).toContain('redirect');
  });

  it('leaves a multipart body (a file upload) to the global fetch', async () => {
    const form = new FormData();
    form.append('file', new Blob(['hello']), 'a.txt');
    const response = await lightFetch(`${base}/upload`, { method: 'POST', body: form });
    expect(response.status).toBe(200);
    expect(seen.at(-1)?.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(seen.at(-1)?.body).toContain('hello');
  });
});
