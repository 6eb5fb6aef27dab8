import { telemetry } from './telemetry';
import {
  connectNats,
  createLogger,
  loadConfig,
  realmIssuer,
  Roles,
  ServiceIdentity,
  useServiceIdentity,
} from '@crm/kit';
import path from 'node:path';
import { buildApp, metricsApp } from './app';
import { createKeycloakVerifier } from './auth';
import { rememberVerified } from './auth/verified-tokens';
import { gatewayEnv } from './config';
import {
  account as accountPb,
  approval as approvalPb,
  audit as auditPb,
  customFields as customFieldsPb,
  lead as leadPb,
  opportunity as opportunityPb,
  analytics as analyticsPb,
  serviceTicket as serviceTicketPb,
  serviceTicketQueues as serviceTicketQueuesPb,
  ownership,
  quote as quotePb,
  payment as paymentPb,
} from '@crm/proto';
import { UserDirectory } from './users/directory';
import { connectService } from './grpc';
import { IdempotencyStore } from './http/idempotency';

async function main(): Promise<void> {
  const env = loadConfig(gatewayEnv);
  const logger = createLogger('gateway', env.LOG_LEVEL);
  // What the gateway asks the services on its own goes with its own client's token.
  const identity = new ServiceIdentity({
    tokenUrl: `${realmIssuer(env.KEYCLOAK_URL, env.KEYCLOAK_REALM)}/protocol/openid-connect/token`,
    clientId: env.KEYCLOAK_CLIENT_ID,
    clientSecret: env.KEYCLOAK_CLIENT_SECRET,
  });
  useServiceIdentity(identity);
  // One connection per backend service; several gRPC services may share one.
  const lead = connectService('lead', env.LEAD_GRPC_ADDR);
  const account = connectService('account', env.ACCOUNT_GRPC_ADDR);
  const opportunity = connectService('opportunity', env.OPPORTUNITY_GRPC_ADDR);
  const analytics = connectService('analytics', env.ANALYTICS_GRPC_ADDR);
  const approval = connectService('approval', env.APPROVAL_GRPC_ADDR);
  const serviceTicket = connectService('service-ticket', env.SERVICE_TICKET_GRPC_ADDR);
  const connections = [lead, account, opportunity, analytics, approval, serviceTicket];
  // The account service hosts the custom fields of both entities it owns.
  const accountCustomFields = account.client(customFieldsPb.CustomFieldServiceDefinition);
  const nats = await connectNats(env.NATS_URL, 'gateway', logger, env);
  const app = buildApp({
    config: {
      grpcDeadlineMs: env.GRPC_DEADLINE_MS,
      bodyLimit: env.BODY_LIMIT,
      importBodyLimit: env.IMPORT_BODY_LIMIT,
      rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE,
      trustProxyHops: env.TRUST_PROXY_HOPS,
      separateMetricsPort: env.METRICS_PORT > 0,
      overviewPartTimeoutMs: env.OVERVIEW_PART_TIMEOUT_MS,
      publicBaseUrl: env.PUBLIC_BASE_URL,
      console: {
        // Built next to the gateway in this repository; CONSOLE_DIR points elsewhere in an image.
        dir: env.CONSOLE_DIR || path.resolve(__dirname, '../../console/dist'),
        keycloakUrl: env.CONSOLE_KEYCLOAK_URL ?? env.KEYCLOAK_URL,
        realm: env.KEYCLOAK_REALM,
        clientId: env.CONSOLE_CLIENT_ID,
      },
    },
    logger,
    clients: {
      lead: lead.client(leadPb.LeadServiceDefinition),
      account: account.client(accountPb.AccountServiceDefinition),
      opportunity: opportunity.client(opportunityPb.OpportunityServiceDefinition),
      pipeline: opportunity.client(opportunityPb.PipelineServiceDefinition),
      analytics: analytics.client(analyticsPb.AnalyticsServiceDefinition),
      product: opportunity.client(quotePb.ProductServiceDefinition),
      quote: opportunity.client(quotePb.QuoteServiceDefinition),
      approval: {
        requests: approval.client(approvalPb.ApprovalRequestServiceDefinition),
        inbox: approval.client(approvalPb.ApprovalInboxServiceDefinition),
        policies: approval.client(approvalPb.ApprovalPolicyServiceDefinition),
        delegations: approval.client(approvalPb.ApprovalDelegationServiceDefinition),
      },
      serviceTicket: serviceTicket.client(serviceTicketPb.TicketServiceDefinition),
      sla: serviceTicket.client(serviceTicketPb.SlaServiceDefinition),
      pool: {
        lead: lead.client(ownership.PoolServiceDefinition),
        account: account.client(ownership.PoolServiceDefinition),
        opportunity: opportunity.client(ownership.PoolServiceDefinition),
      },
      transfers: account.client(ownership.OwnershipTransferServiceDefinition),
      // Custom field definitions, by entity, from the service that owns the entity.
      customFields: {
        lead: lead.client(customFieldsPb.CustomFieldServiceDefinition),
        account: accountCustomFields,
        contact: accountCustomFields,
        ticket: serviceTicket.client(customFieldsPb.CustomFieldServiceDefinition),
        opportunity: opportunity.client(customFieldsPb.CustomFieldServiceDefinition),
      },
      audit: Object.fromEntries(connections.map((c) => [c.name, c.client(auditPb.AuditServiceDefinition)])),
      payment: opportunity.client(paymentPb.PaymentServiceDefinition),
      queues: serviceTicket.client(serviceTicketQueuesPb.QueueServiceDefinition),
    },
    users: new UserDirectory({
      url: env.KEYCLOAK_URL,
      realm: env.KEYCLOAK_REALM,
      identity,
      roles: Object.values(Roles),
    }),
    verifyToken: rememberVerified(
      createKeycloakVerifier({
        url: env.KEYCLOAK_URL,
        realm: env.KEYCLOAK_REALM,
        audience: env.KEYCLOAK_AUDIENCE,
      }),
    ),
    audience: env.KEYCLOAK_AUDIENCE,
    readiness: Object.fromEntries(connections.map((c) => [c.name, () => c.ready(1000)])),
    idempotency: IdempotencyStore.shared(nats.jetstream(), logger, undefined, env.NATS_STREAM_REPLICAS),
  });
  const server = app.listen(env.PORT, env.HOST, () => {
    logger.info({ host: env.HOST, port: env.PORT }, 'gateway listening');
  });
  const metricsServer =
    env.METRICS_PORT > 0
      ? metricsApp(app).listen(env.METRICS_PORT, env.HOST, () =>
          logger.info({ port: env.METRICS_PORT }, 'metrics listening'),
        )
      : undefined;
  server.on('error', (err) => {
    logger.fatal({ err }, 'gateway could not listen');
    process.exit(1);
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.warn('shutdown timed out; closing remaining connections');
      server.closeAllConnections();
    }, env.SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    // Stop accepting, let in-flight requests finish, then release the channel and telemetry.
    metricsServer?.close();
    server.close(() => {
      server.closeIdleConnections();
      for (const c of connections) c.close();
      Promise.all([nats.close(), telemetry.shutdown()])
        .catch(() => undefined)
        .finally(() => {
          logger.info('stopped');
          process.exit(0);
        });
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
