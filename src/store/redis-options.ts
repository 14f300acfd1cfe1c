/**
 * The connection options ioredis and BullMQ both take. One shape for both, so a password or TLS
 * in REDIS_URL reaches BullMQ's own connections too, not only the store's.
 */
export interface RedisOptions {
  readonly host?: string;
  readonly port?: number;
  /** A unix socket instead of host and port. */
  readonly path?: string;
  readonly username?: string;
  readonly password?: string;
  readonly db?: number;
  /** Set for `rediss://`: TLS with the system's CAs, the host name checked against the certificate. */
  readonly tls?: { readonly servername?: string };
}

/**
 * `redis://[user][:password]@host[:port][/db]` or `rediss://…` (TLS) into options. config.ts has
 * validated the scheme; user and password are percent-decoded, so `p%40ss` is `p@ss`.
 */
export function redisOptionsFromUrl(url: string): RedisOptions {
  const parsed = new URL(url);
  // An IPv6 address comes bracketed in a URL ([::1]) and bare in a socket address.
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1';
  const isName = !/^[\d.]+$/.test(host) && !host.includes(':');
  return {
    host,
    port: Number(parsed.port || 6379),
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.pathname.length > 1 ? { db: Number(parsed.pathname.slice(1)) } : {}),
    // Node checks the certificate against `servername`; an IP address cannot be one (SNI forbids it).
    ...(parsed.protocol === 'rediss:' ? { tls: isName ? { servername: host } : {} } : {}),
  };
}
