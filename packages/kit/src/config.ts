import { z } from 'zod';

export class ConfigError extends Error {}

/**
 * Reads and validates configuration from the environment once, at start.
 * A bad value stops the process with a message that names the variable, instead of failing later.
 */
export function loadConfig<S extends z.ZodRawShape>(
  shape: S,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<z.ZodObject<S>> {
  const result = z.object(shape).safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}

/**
 * The NATS connection: every client has its own user (no anonymous access), given as user and
 * password or as a creds file; the gateway spreads this into its shape too.
 */
export const natsEnv = {
  NATS_URL: z.string().min(1).default('nats://127.0.0.1:4222'),
  NATS_USER: z.string().min(1).optional(),
  NATS_PASSWORD: z.string().optional(),
  NATS_CREDS_FILE: z.string().min(1).optional(),
  // Copies of each JetStream stream a service creates; applied to existing streams too (chart: nats.streamReplicas).
  NATS_STREAM_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
};

/** The variables every service shares; a service spreads these into its own shape. */
export const serviceEnv = {
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  GRPC_HOST: z.string().default('127.0.0.1'),
  MONGODB_URI: z.string().startsWith('mongodb').default('mongodb://127.0.0.1:27017'),
  // How writes of one document are kept apart: auto asks the server (write-strategy.ts).
  MONGODB_WRITE_STRATEGY: z.enum(['auto', 'atomic', 'claimed']).default('auto'),
  ...natsEnv,
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  // Bounds a call that came without a deadline; long enough for the largest lead import.
  GRPC_MAX_CALL_MS: z.coerce.number().int().positive().default(600_000),
  // gRPC reflection (grpcurl's list and describe); the chart can switch it off.
  GRPC_REFLECTION: z.enum(['true', 'false']).default('true'),
  // Every gRPC call carries a realm access token: where the realm is, and the audience it must name.
  KEYCLOAK_URL: z.string().url().default('http://127.0.0.1:8180'),
  KEYCLOAK_REALM: z.string().min(1).default('crm'),
  // The `iss` of the realm's tokens when it differs from KEYCLOAK_URL (a public URL behind an ingress).
  KEYCLOAK_ISSUER: z.string().default(''),
  KEYCLOAK_AUDIENCE: z.string().min(1).default('crm-api'),
  // How long a verified token is taken on trust at most (never past its expiry); 0: check every call.
  TOKEN_REMEMBER_MS: z.coerce.number().int().min(0).default(60_000),
  // The service's own confidential client (client credentials); crm-<service>-service when unset.
  SERVICE_CLIENT_ID: z.string().default(''),
  SERVICE_CLIENT_SECRET: z.string().default(''),
};

export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
