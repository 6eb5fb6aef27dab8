import type { Connection } from 'mongoose';
import { z } from 'zod';
import type { NatsConnection } from 'nats';
import { loadConfig, serviceEnv } from './config';
import { createGrpcServer, type GrpcHost } from './grpc-server';
import { createLogger, type Logger } from './logger';
import { connectMongo, ensureIndexes } from './mongo';
import { connectNats, ensureStream, type StreamSpec } from './nats';
import { type OutboxModel, OutboxRelay } from './outbox';
import { onShutdown } from './shutdown';

type BaseConfig = z.infer<z.ZodObject<typeof serviceEnv>> & { GRPC_PORT: number; MONGODB_DB: string };

export interface ServiceContext<C> {
  config: C & BaseConfig;
  logger: Logger;
  db: Connection;
  nats: () => NatsConnection;
  grpc: GrpcHost;
}

export interface ServiceDefinition<S extends z.ZodRawShape> {
  name: string;
  /** Default gRPC port (contracts: lead 50051 … analytics 56); GRPC_PORT overrides. */
  grpcPort: number;
  /** Default database name; MONGODB_DB overrides. */
  dbName: string;
  /** Service-specific environment variables. */
  env?: S;
  streams: StreamSpec[];
  /**
   * Registers models on ctx.db and services on ctx.grpc.server; returns the fully-qualified gRPC service
   * names (for reflection and health) and the models whose documents carry an outbox.
   */
  setup(
    ctx: ServiceContext<z.infer<z.ZodObject<S>>>,
  ): Promise<{ services: string[]; outboxModels: OutboxModel[]; onReady?: (relay: OutboxRelay) => void }>;
  descriptorSet: Buffer;
}

/**
 * The one start-up sequence of every service: config, logs, database, NATS and streams, outbox relay,
 * gRPC with health and reflection, graceful shutdown. A service's main.ts only calls this.
 */
export async function runService<S extends z.ZodRawShape>(def: ServiceDefinition<S>): Promise<void> {
  const logger = createLogger(def.name);
  let config: ServiceContext<z.infer<z.ZodObject<S>>>['config'];
  try {
    const base = loadConfig({
      ...serviceEnv,
      GRPC_PORT: z.coerce.number().int().min(0).max(65535).default(def.grpcPort),
      MONGODB_DB: z.string().min(1).default(def.dbName),
    });
    const own = loadConfig(def.env ?? {}) as z.infer<z.ZodObject<S>>;
    config = { ...base, ...own };
  } catch (err) {
    logger.fatal((err as Error).message);
    process.exit(2);
  }
  const db = await connectMongo(config.MONGODB_URI, config.MONGODB_DB, logger);
  let nc: NatsConnection | undefined;
  const grpc = createGrpcServer({
    logger,
    maxCallMs: config.GRPC_MAX_CALL_MS,
    descriptorSet: def.descriptorSet,
  });
  const ctx = { config, logger, db, grpc, nats: () => nc! } as ServiceContext<z.infer<z.ZodObject<S>>>;
  const { services, outboxModels, onReady } = await def.setup(ctx);
  await ensureIndexes(db);
  grpc.finish(services);
  const port = await grpc.plain.listen(`${config.GRPC_HOST}:${config.GRPC_PORT}`);
  logger.info({ port }, 'grpc listening');

  // NATS may be down: the service still takes writes (the outbox keeps the events) and goes SERVING.
  const relay = new OutboxRelay(outboxModels, () => nc!.jetstream(), logger);
  const natsReady = connectNats(config.NATS_URL, def.name, logger).then(async (c) => {
    nc = c;
    for (const s of def.streams) await ensureStream(c, s);
    relay.start();
  });
  natsReady.catch((err: Error) => logger.error({ err: err.message }, 'nats setup failed'));
  onReady?.(relay);
  grpc.health.setStatus('healthy');
  for (const s of services) grpc.health.setStatus('healthy', s);

  onShutdown(logger, config.SHUTDOWN_TIMEOUT_MS, [
    { name: 'health', run: () => grpc.health.setStatus('unhealthy') },
    { name: 'grpc', run: () => grpc.plain.shutdown() },
    { name: 'outbox', run: () => relay.stop() },
    { name: 'nats', run: () => nc?.drain() },
    { name: 'mongodb', run: () => db.close() },
  ]);
}
