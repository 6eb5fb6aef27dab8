import { audit as auditPb } from '@crm/proto';
import type { Connection } from 'mongoose';
import { z } from 'zod';
import type { NatsConnection } from 'nats';
import { AuditLog, auditEnv } from './audit-log';
import { AUDIT_SERVICE_NAME, auditService } from './audit-service';
import { loadConfig, serviceEnv } from './config';
import { createTokenVerifier, realmIssuer } from './access-token';
import { createGrpcServer, type GrpcHost } from './grpc-server';
import { createLogger, type Logger } from './logger';
import { connectMongo, ensureIndexes } from './mongo';
import { connectNats, ensureStream, type StreamSpec } from './nats';
import { type InsertedOutbox, type OutboxModel, OutboxRelay } from './outbox';
import type { Stoppable } from './consumer';
import { DurableSchedule, type ScheduleSpec } from './schedule';
import { ServiceIdentity, useServiceIdentity } from './service-identity';
import { onShutdown } from './shutdown';

type BaseConfig = z.infer<z.ZodObject<typeof serviceEnv>> &
  z.infer<z.ZodObject<typeof auditEnv>> & { GRPC_PORT: number; MONGODB_DB: string };

export interface ServiceContext<C> {
  config: C & BaseConfig;
  logger: Logger;
  db: Connection;
  nats: () => NatsConnection;
  grpc: GrpcHost;
  /**
   * Tells the outbox relay that a document of model now carries events, so they are published at once
   * rather than on the next sweep. Safe to call before NATS is up (the sweep catches up). After an
   * insert, `inserted` (the document's version and whole outbox) spares the relay reading it back.
   */
  written: (model: OutboxModel, id?: string, inserted?: InsertedOutbox) => void;
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
  setup(ctx: ServiceContext<z.infer<z.ZodObject<S>>>): Promise<{
    services: string[];
    outboxModels: OutboxModel[];
    /** Starts the service's event consumers once NATS is there; retried until it succeeds. */
    consumers?: (nc: NatsConnection) => Promise<Stoppable[]>;
    /** Periodic jobs kept in the database (pool release, saga recovery, SLA timers). */
    schedules?: ScheduleSpec[];
  }>;
  descriptorSet: Buffer;
}

/**
 * The one start-up sequence of every service: config, logs, database, NATS and streams, outbox relay,
 * gRPC with health and reflection, graceful shutdown. A service's main.ts only calls this.
 */
export async function runService<S extends z.ZodRawShape>(def: ServiceDefinition<S>): Promise<void> {
  const logger = createLogger(def.name);
  // A service that cannot start says why, once, and exits non-zero: main.ts needs no catch of its own.
  await start(def, logger).catch((err: Error) => {
    logger.fatal({ err: err.message }, 'service could not start');
    process.exit(1);
  });
}

async function start<S extends z.ZodRawShape>(def: ServiceDefinition<S>, logger: Logger): Promise<void> {
  let config: ServiceContext<z.infer<z.ZodObject<S>>>['config'];
  try {
    const base = loadConfig({
      ...serviceEnv,
      ...auditEnv,
      GRPC_PORT: z.coerce.number().int().min(0).max(65535).default(def.grpcPort),
      MONGODB_DB: z.string().min(1).default(def.dbName),
    });
    const own = loadConfig(def.env ?? {}) as z.infer<z.ZodObject<S>>;
    config = { ...base, ...own };
  } catch (err) {
    logger.fatal((err as Error).message);
    process.exit(2);
  }
  const db = await connectMongo(config.MONGODB_URI, config.MONGODB_DB, logger, {
    writeStrategy: config.MONGODB_WRITE_STRATEGY,
  });
  let nc: NatsConnection | undefined;
  const running: Stoppable[] = [];
  let stopping = false;
  const realm = realmIssuer(config.KEYCLOAK_URL, config.KEYCLOAK_REALM);
  const grpc = createGrpcServer({
    logger,
    maxCallMs: config.GRPC_MAX_CALL_MS,
    descriptorSet: def.descriptorSet,
    // Keys come from KEYCLOAK_URL (reachable in the cluster); the issuer is what tokens say.
    verifyToken: createTokenVerifier({
      issuer: config.KEYCLOAK_ISSUER || realm,
      audience: config.KEYCLOAK_AUDIENCE,
      jwksUrl: `${realm}/protocol/openid-connect/certs`,
      rememberMs: config.TOKEN_REMEMBER_MS,
    }),
    reflection: config.GRPC_REFLECTION === 'true',
  });
  const clientId = config.SERVICE_CLIENT_ID || `crm-${def.name}-service`;
  useServiceIdentity(
    new ServiceIdentity({
      tokenUrl: `${realm}/protocol/openid-connect/token`,
      clientId,
      clientSecret: config.SERVICE_CLIENT_SECRET,
    }),
  );
  // The relay exists before setup so that use cases get `written` at construction; it learns its
  // models from what setup returns and starts once NATS is there.
  const outboxModels: OutboxModel[] = [];
  const relay = new OutboxRelay(outboxModels, () => nc!.jetstream(), logger);
  const written: ServiceContext<unknown>['written'] = (model, id, inserted) =>
    relay.kick(model, id, inserted);
  // Every published event is also an audit entry, served by the same gRPC audit service everywhere.
  const auditLog = new AuditLog(db, config.AUDIT_RETENTION_DAYS);
  relay.recordInto(auditLog);
  grpc.server.add(auditPb.AuditServiceDefinition, auditService(auditLog));
  const ctx = { config, logger, db, grpc, nats: () => nc!, written } as ServiceContext<
    z.infer<z.ZodObject<S>>
  >;
  const setup = await def.setup(ctx);
  const { consumers } = setup;
  const services = [...setup.services, AUDIT_SERVICE_NAME];
  const schedules = [
    ...(setup.schedules ?? []),
    {
      name: 'audit-retention',
      everyMs: 3_600_000,
      run: async (now: Date) => void (await auditLog.prune(now)),
    },
  ];
  outboxModels.push(...setup.outboxModels);
  await ensureIndexes(db);
  if (isProvisionTask()) {
    await provision(def, config, db, logger);
    process.exit(0);
  }
  // Without its own identity a service could not finish a conversion or call another on its own.
  if (!config.SERVICE_CLIENT_SECRET) {
    logger.fatal(`SERVICE_CLIENT_SECRET is not set (the secret of the Keycloak client ${clientId})`);
    process.exit(2);
  }
  grpc.finish(services);
  const port = await grpc.plain.listen(`${config.GRPC_HOST}:${config.GRPC_PORT}`);
  logger.info({ port }, 'grpc listening');

  // NATS may be down: the service still takes writes (the outbox keeps the events) and goes SERVING.
  const natsReady = connectNats(config.NATS_URL, def.name, logger, config).then(async (c) => {
    nc = c;
    for (const s of def.streams) await ensureStream(c, s, config.NATS_STREAM_REPLICAS);
    relay.start();
    if (consumers)
      running.push(
        ...(await startConsumers(
          () => consumers(c),
          logger,
          () => stopping,
        )),
      );
  });
  natsReady.catch((err: Error) => logger.error({ err: err.message }, 'nats setup failed'));
  const jobs = schedules.map((spec) => new DurableSchedule(db, spec, logger));
  for (const j of jobs) j.start();
  grpc.health.setStatus('healthy');
  for (const s of services) grpc.health.setStatus('healthy', s);

  onShutdown(logger, config.SHUTDOWN_TIMEOUT_MS, [
    { name: 'health', run: () => grpc.health.setStatus('unhealthy') },
    { name: 'grpc', run: () => grpc.plain.shutdown() },
    {
      name: 'consumers',
      run: async () => void ((stopping = true), await Promise.all(running.map((r) => r.stop()))),
    },
    { name: 'schedules', run: async () => void (await Promise.all(jobs.map((j) => j.stop()))) },
    { name: 'outbox', run: () => relay.stop() },
    { name: 'nats', run: () => nc?.drain() },
    { name: 'mongodb', run: () => db.close() },
  ]);
}

/**
 * Consumers may depend on streams other services create: keep trying until they start, so start-up
 * order between services does not matter.
 */
async function startConsumers(
  start: () => Promise<Stoppable[]>,
  logger: Logger,
  stopping: () => boolean,
): Promise<Stoppable[]> {
  for (let attempt = 1; !stopping(); attempt++) {
    try {
      return await start();
    } catch (err) {
      if (attempt === 1 || attempt % 15 === 0)
        logger.warn({ err: (err as Error).message, attempt }, 'event consumers not started yet; retrying');
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
  return [];
}

/**
 * `node dist/main.js provision` (or CRM_TASK=provision): the deploy-time task (Helm pre-install/pre-upgrade
 * hook) that creates indexes and streams before new pods roll out, then exits. Every step is
 * create-or-update, so running it twice, or next to running replicas, is safe.
 */
export function isProvisionTask(argv = process.argv, env = process.env): boolean {
  return argv.slice(2).includes('provision') || env.CRM_TASK === 'provision';
}

async function provision(
  def: { name: string; streams: StreamSpec[] },
  config: BaseConfig,
  db: Connection,
  logger: Logger,
): Promise<void> {
  const nc = await connectNats(config.NATS_URL, `${def.name}-provision`, logger, config);
  for (const s of def.streams) await ensureStream(nc, s, config.NATS_STREAM_REPLICAS);
  await nc.drain();
  await db.close();
  logger.info(
    {
      database: config.MONGODB_DB,
      models: Object.keys(db.models),
      streams: def.streams.map((s) => s.name),
    },
    'provisioned: indexes and streams are in place',
  );
}
