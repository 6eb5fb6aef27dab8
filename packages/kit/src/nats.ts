import { readFileSync } from 'node:fs';
import {
  connect,
  credsAuthenticator,
  type ConnectionOptions,
  type JetStreamClient,
  type NatsConnection,
  RetentionPolicy,
  StorageType,
} from 'nats';
import type { Logger } from './logger';

export type { JetStreamClient, NatsConnection };

/** Who the client is to NATS (kit config: NATS_USER / NATS_PASSWORD, or NATS_CREDS_FILE). */
export interface NatsCredentials {
  NATS_USER?: string;
  NATS_PASSWORD?: string;
  NATS_CREDS_FILE?: string;
}

/**
 * The connection options for these credentials. A user's replies come back on its own inbox prefix
 * (`_INBOX_<user>`): the server lets each user subscribe to its own inboxes only, so no client reads
 * the JetStream answers (event bodies) meant for another.
 */
export function natsAuthOptions(c: NatsCredentials): Partial<ConnectionOptions> {
  const inbox = c.NATS_USER ? { inboxPrefix: `_INBOX_${c.NATS_USER}` } : {};
  if (c.NATS_CREDS_FILE)
    return { ...inbox, authenticator: credsAuthenticator(readFileSync(c.NATS_CREDS_FILE)) };
  if (c.NATS_USER) return { ...inbox, user: c.NATS_USER, pass: c.NATS_PASSWORD ?? '' };
  return {};
}

/**
 * Connects without blocking start-up on NATS: writes go to the outbox whatever NATS does, and the
 * client reconnects forever in the background.
 */
export async function connectNats(
  url: string,
  name: string,
  logger: Logger,
  credentials: NatsCredentials = {},
): Promise<NatsConnection> {
  const nc = await connect({
    ...natsAuthOptions(credentials),
    servers: url.split(','),
    name,
    waitOnFirstConnect: true,
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1000,
  });
  void (async () => {
    for await (const s of nc.status()) logger.info({ nats: s.type }, 'nats status');
  })();
  logger.info({ url, user: credentials.NATS_USER }, 'nats connected');
  return nc;
}

export interface StreamSpec {
  name: string;
  subjects: string[];
  /** How long JetStream remembers a Nats-Msg-Id to drop a re-published event. */
  duplicateWindowMs?: number;
}

/**
 * Creates or updates a stream; safe to run on every start and from several replicas. `replicas`
 * (NATS_STREAM_REPLICAS) also changes an existing stream's, which JetStream does in place.
 */
export async function ensureStream(nc: NatsConnection, spec: StreamSpec, replicas = 1): Promise<void> {
  const jsm = await nc.jetstreamManager();
  const config = {
    name: spec.name,
    subjects: spec.subjects,
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    num_replicas: replicas,
    duplicate_window: (spec.duplicateWindowMs ?? 2 * 60_000) * 1_000_000, // nanoseconds
  };
  try {
    await jsm.streams.info(spec.name);
    await jsm.streams.update(spec.name, config);
  } catch (err) {
    if (!/not found/i.test((err as Error).message)) throw err;
    await jsm.streams.add(config);
  }
}
