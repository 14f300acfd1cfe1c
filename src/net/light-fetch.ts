import { type Dispatcher, request } from 'undici';

/** Statuses whose response has no body (a Response refuses one). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

type FetchBody = Exclude<RequestInit['body'], undefined>;

/**
 * fetch() for the bot's own calls (Slack's Web API and response_url, the access broker): the
 * same answers as the global fetch, sent with undici's request API. Node's fetch carries every
 * call through WHATWG streams, about three times the CPU per call on the bot's hot path (a
 * slash command makes two or three calls); the calls here are small JSON and form posts whose
 * answers are read whole anyway.
 *
 * Only what those callers use goes this way: a string, Buffer or URLSearchParams body (or none),
 * a URL given as a string or URL. Anything else (a Request, FormData for a file upload, a stream)
 * goes to the global fetch. As with fetch: the answer comes as a Response whatever its status,
 * `redirect: 'error'` refuses a 3xx, an abort rejects with the signal's reason (a TimeoutError
 * for AbortSignal.timeout), a network failure with TypeError('fetch failed', { cause }).
 * Redirects are not followed (no caller expects one), and no compressed answer is asked for.
 */
export const lightFetch: typeof fetch = async (input, init = {}) => {
  const body = init.body ?? undefined;
  if (input instanceof Request || !isPlainBody(body)) return fetch(input, init);
  const signal = init.signal ?? undefined;
  const headers = new Headers(init.headers);
  if (!headers.has('accept-encoding')) headers.set('accept-encoding', 'identity');
  if (body instanceof URLSearchParams && !headers.has('content-type'))
    headers.set('content-type', 'application/x-www-form-urlencoded;charset=UTF-8');
  let answer: Dispatcher.ResponseData;
  try {
    answer = await request(input, {
      method: (init.method ?? 'GET').toUpperCase(),
      headers: Object.fromEntries(headers),
      body: body instanceof URLSearchParams ? body.toString() : body,
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw new TypeError('fetch failed', { cause: error });
  }
  const status = answer.statusCode;
  const refused =
    status < 200 || status > 599
      ? `unexpected HTTP status ${status}`
      : init.redirect === 'error' && status >= 300 && status < 400
        ? `unexpected redirect (HTTP ${status})`
        : undefined;
  if (refused !== undefined) {
    await answer.body.dump();
    throw new TypeError('fetch failed', { cause: new Error(refused) });
  }
  let content: Buffer;
  try {
    content = Buffer.from(await answer.body.arrayBuffer());
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw new TypeError('fetch failed', { cause: error });
  }
  const responseHeaders = new Headers();
  for (const [name, value] of Object.entries(answer.headers)) {
    if (Array.isArray(value)) for (const one of value) responseHeaders.append(name, one);
    else if (value !== undefined) responseHeaders.append(name, value);
  }
  return new Response(NULL_BODY_STATUSES.has(status) ? null : content, { status, headers: responseHeaders });
};

function isPlainBody(body: FetchBody | undefined): body is string | Buffer | URLSearchParams | null | undefined {
  return (
    body === undefined ||
    body === null ||
    typeof body === 'string' ||
    Buffer.isBuffer(body) ||
    body instanceof URLSearchParams
  );
}
