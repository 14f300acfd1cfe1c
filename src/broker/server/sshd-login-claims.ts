import { grantIdOfKeyId } from './certificate-key-id.js';
import type { Endpoint, SshdLogEvent } from './sshd-log-line.js';
import { canonicalAddress } from './sshd-proc-net.js';

/**
 * What the sshd log claims: "this connection logged in with that certificate". A claim is only
 * text until the kernel confirms it (sshd-sessions.ts binds it to a socket a root sshd holds),
 * so nothing here ever forgets or ends a session: `Disconnected` lines are not even read, and a
 * later line can never take over a connection an earlier one already named.
 */
export interface LoginClaim {
  readonly grantId: string;
  readonly serial: string;
  readonly user: string;
  readonly client: Endpoint;
  /** The sshd address and port it came in on, from the `Connection from` line (pid-less logs only). */
  readonly server?: Endpoint;
  /** The sshd process that logged it (syslog, journald); absent in an `sshd -E` file. */
  readonly pid?: number;
}

export interface LoginClaims {
  add(event: SshdLogEvent): void;
  /** The claims read since the last call, oldest first. */
  take(): LoginClaim[];
}

// Bounded so a flood of lines (scanners, or forged ones) cannot grow memory between reads.
const MAX_HELD = 4096;

export function createLoginClaims(): LoginClaims {
  let claims = new Map<string, LoginClaim>();
  const servers = new Map<string, Endpoint>();
  const endpointKey = (client: Endpoint) => `${canonicalAddress(client.address)} ${client.port}`;
  const keyOf = (event: { pid?: number; client: Endpoint }) =>
    event.pid === undefined ? endpointKey(event.client) : `${event.pid} ${endpointKey(event.client)}`;
  const bounded = <V>(map: Map<string, V>) => {
    if (map.size > MAX_HELD) map.delete(map.keys().next().value!);
  };

  return {
    add(event) {
      const key = keyOf(event);
      if (event.kind === 'connection') {
        servers.delete(key);
        servers.set(key, event.server);
        bounded(servers);
        // Without pids only the order of lines tells connections apart: the same client
        // address and port again is a new connection, so what an older one claimed is stale.
        if (event.pid === undefined) claims.delete(key);
        return;
      }
      if (event.kind !== 'login') return;
      if (!event.certificate) {
        if (event.pid === undefined) claims.delete(key);
        return;
      }
      // With a pid, one sshd process logs one login: the first line for it stands, so a line
      // written after the real one cannot re-assign the connection.
      if (event.pid !== undefined && claims.has(key)) return;
      const server = event.pid === undefined ? servers.get(key) : undefined;
      claims.delete(key);
      claims.set(key, {
        grantId: grantIdOfKeyId(event.certificate.keyId),
        serial: event.certificate.serial,
        user: event.user,
        client: event.client,
        ...(server ? { server } : {}),
        ...(event.pid === undefined ? {} : { pid: event.pid }),
      });
      bounded(claims);
    },
    take() {
      const taken = [...claims.values()];
      claims = new Map();
      return taken;
    },
  };
}
