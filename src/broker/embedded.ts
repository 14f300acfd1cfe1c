import type { RequestListener } from 'node:http';
import path from 'node:path';
import type { JSONWebKeySet } from 'jose';
import type { Logger } from 'pino';
import type { KrlStatus } from './server/bastion-routes.js';
import { startBrokerServer } from './server/broker-server.js';

export interface EmbeddedBrokerOptions {
  /** The bot's DATA_DIR; the broker keeps its CA, grants and KRL under `<dataDir>/broker`. */
  readonly dataDir: string;
  /** The bot's public JWKS (SigningKey.jwks): the only keys the broker trusts. */
  readonly jwks: JSONWebKeySet;
  readonly logger?: Logger;
}

export interface EmbeddedBroker {
  readonly url: string;
  /** `/v1/ca.pub`, `/v1/krl`, `/v1/krl/status`: the bot's own listener serves them, since bastions cannot reach loopback. */
  readonly bastion: RequestListener;
  /** The last KRL fetch by a bastion, staleness, and the KRL's size (krlBytes) and last write time (krlWriteMs). */
  krlStatus(): KrlStatus;
  close(): Promise<void>;
}

/**
 * The reference broker in the bot's own process, for when BROKER_URL is unset. It still listens
 * on loopback HTTP and checks signed tokens, so the bot talks to it through the same client it
 * would use for a remote broker: one code path, tested once.
 */
export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const broker = await startBrokerServer({
    dataDir: path.join(options.dataDir, 'broker'),
    trustedKeys: options.jwks,
    host: '127.0.0.1',
    port: 0,
    ...(options.logger ? { logger: options.logger.child({ component: 'embedded-broker' }) } : {}),
  });
  return { url: broker.url, bastion: broker.bastion, krlStatus: () => broker.krlStatus(), close: () => broker.close() };
}
