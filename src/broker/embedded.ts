import path from 'node:path';
import type { JSONWebKeySet } from 'jose';
import type { Logger } from 'pino';
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
  return { url: broker.url, close: () => broker.close() };
}
