import { natsEnv } from '@crm/kit';
import { z } from 'zod';
import type { ConsoleOptions } from './console/console-static';

/** Environment shape of the gateway; read once at start by main.ts via loadConfig from @crm/kit. */
export const gatewayEnv = {
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  KEYCLOAK_URL: z.string().url().default('http://127.0.0.1:8180'),
  KEYCLOAK_REALM: z.string().min(1).default('crm'),
  KEYCLOAK_AUDIENCE: z.string().min(1).default('crm-api'),
  LEAD_GRPC_ADDR: z.string().min(1).default('127.0.0.1:50051'),
  ACCOUNT_GRPC_ADDR: z.string().min(1).default('127.0.0.1:50052'),
  OPPORTUNITY_GRPC_ADDR: z.string().min(1).default('127.0.0.1:50053'),
  ANALYTICS_GRPC_ADDR: z.string().min(1).default('127.0.0.1:50056'),
  APPROVAL_GRPC_ADDR: z.string().min(1).default('127.0.0.1:50054'),
  SERVICE_TICKET_GRPC_ADDR: z.string().min(1).default('127.0.0.1:50055'),
  /** JetStream holds the Idempotency-Key answers, so every gateway replica replays them. */
  ...natsEnv,
  /** The gateway's own Keycloak client, whose service account reads the user directory. */
  KEYCLOAK_CLIENT_ID: z.string().min(1).default('crm-gateway'),
  KEYCLOAK_CLIENT_SECRET: z.string().default(''),
  GRPC_DEADLINE_MS: z.coerce.number().int().positive().default(5000),
  BODY_LIMIT: z.string().default('1mb'),
  /**
   * Proxies in front of the gateway whose X-Forwarded-For is believed (0: none; 1 behind one ingress),
   * so rate limits and logs see the client's address, not the ingress controller's.
   */
  /**
   * Serve /metrics on this port only (the chart sets 9464), so the public port behind the ingress
   * does not expose it. 0: on the main port, as locally.
   */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(6000),
  IMPORT_BODY_LIMIT: z.string().default('10mb'),
  /** Each part of the account overview (contacts, activities, ...) gets this long before it is left out. */
  OVERVIEW_PART_TIMEOUT_MS: z.coerce.number().int().positive().default(1500),
  /** The console's build output, served at `/` (nothing is served there when it holds no index.html). */
  CONSOLE_DIR: z.string().default(''),
  /** Keycloak as browsers reach it, for the console's sign-in (default: KEYCLOAK_URL). */
  CONSOLE_KEYCLOAK_URL: z.string().url().optional(),
  CONSOLE_CLIENT_ID: z.string().min(1).default('crm-console'),
  /**
   * The gateway's address as customers reach it (e.g. https://crm.example.com), for the links it
   * hands out such as the ticket confirmation link; default: the address the caller used.
   */
  PUBLIC_BASE_URL: z.string().url().optional(),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
};

export interface GatewayConfig {
  grpcDeadlineMs: number;
  bodyLimit: string;
  importBodyLimit: string;
  rateLimitPerMinute: number;
  trustProxyHops?: number;
  /** true: /metrics is served on a port of its own (see metricsApp), not by this app. */
  separateMetricsPort?: boolean;
  overviewPartTimeoutMs?: number;
  publicBaseUrl?: string;
  /** The web console served at `/` (none when unset). */
  console?: ConsoleOptions;
}
