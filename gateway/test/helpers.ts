import type { Express } from 'express';
import type { UserDirectory } from '../src/users/directory';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import pino, { type Logger } from 'pino';
import { lead } from '@crm/proto';
import { buildApp } from '../src/app';
import { InvalidTokenError, type TokenClaims } from '../src/auth';
import type { AccountClient, LeadClient } from '../src/grpc';
import type { IdempotencyStore } from '../src/http/idempotency';
import type { GatewayConfig } from '../src/config';

export const AUDIENCE = 'crm-api';

const claims = (sub: string, roles: string[], extra: Partial<TokenClaims> = {}): TokenClaims => ({
  sub,
  preferred_username: sub,
  realm_access: { roles },
  groups: ['sales-east'],
  aud: ['crm-api', 'account'],
  azp: 'crm-cli',
  typ: 'Bearer',
  ...extra,
});

/** Fake verifier: the "token" names a user. */
export const TOKENS: Record<string, TokenClaims> = {
  rep: claims('u-rep', ['sales-rep']),
  manager: claims('u-manager', ['sales-manager']),
  admin: claims('u-admin', ['crm-admin']),
  integrator: claims('u-int', ['integrator'], { groups: undefined, azp: 'crm-integrator' }),
  agent: claims('u-agent', ['support-agent']),
  supportlead: claims('u-supportlead', ['support-manager']),
  wrongaud: claims('u-rep', ['sales-rep'], { aud: 'account' }),
};

export function sampleLead(over: Partial<lead.Lead> = {}): lead.Lead {
  return lead.Lead.fromPartial({
    id: 'L1',
    version: '1',
    lastName: 'Doe',
    company: 'ACME',
    status: lead.LeadStatus.LEAD_STATUS_NEW,
    created: { actorId: 'u-rep', at: new Date('2026-01-01T00:00:00Z') },
    updated: { actorId: 'u-rep', at: new Date('2026-01-01T00:00:00Z') },
    ...over,
  });
}

export type FakeLeadClient = { [K in keyof LeadClient]: jest.Mock };

export function fakeLeadClient(): FakeLeadClient {
  const names: (keyof LeadClient)[] = [
    'createLead',
    'getLead',
    'listLeads',
    'updateLead',
    'changeLeadStatus',
    'assignLead',
    'importLeads',
    'getAssignmentRules',
    'putAssignmentRules',
    'getScoringModel',
    'putScoringModel',
  ];
  return Object.fromEntries(names.map((n) => [n, jest.fn()])) as unknown as FakeLeadClient;
}

export interface Harness {
  url: string;
  app: Express;
  client: FakeLeadClient;
  close(): Promise<void>;
}

export async function startApp(
  opts: {
    ready?: boolean;
    rateLimitPerMinute?: number;
    account?: object;
    /** A fake OpportunityService client. */
    opportunity?: object;
    /** Fake ProductService and QuoteService clients. */
    product?: object;
    quote?: object;
    /** Fake approval clients (requests, inbox, policies, delegations). */
    approval?: object;
    /** A fake TicketService client. */
    serviceTicket?: object;
    /** A fake QueueService client. */
    queues?: object;
    /** The user directory's users (none unless given). */
    users?: { id: string }[];
    /** Fake PoolService clients by record type. */
    pool?: Record<string, object>;
    overviewPartTimeoutMs?: number;
    /** PUBLIC_BASE_URL: where customers reach the gateway. */
    publicBaseUrl?: string;
    separateMetricsPort?: boolean;
    /** Fake CustomFieldService clients by entity. */
    customFields?: Record<string, object>;
    /** A fake AnalyticsService client. */
    analytics?: object;
    /** Fake AuditService clients by service. */
    audit?: Record<string, object>;
    /** A fake PaymentService client. */
    payment?: object;
    idempotency?: IdempotencyStore;
    /** Where the app logs (silent when unset). */
    logger?: Logger;
    /** The web console to serve at `/`. */
    console?: GatewayConfig['console'];
  } = {},
): Promise<Harness> {
  const client = fakeLeadClient();
  const app = buildApp({
    config: {
      grpcDeadlineMs: 1000,
      bodyLimit: '1mb',
      importBodyLimit: '10mb',
      rateLimitPerMinute: opts.rateLimitPerMinute ?? 10_000,
      overviewPartTimeoutMs: opts.overviewPartTimeoutMs,
      publicBaseUrl: opts.publicBaseUrl,
      separateMetricsPort: opts.separateMetricsPort,
      console: opts.console,
    },
    logger: opts.logger ?? pino({ level: 'silent' }),
    clients: {
      lead: client as unknown as LeadClient,
      account: (opts.account ?? {}) as unknown as AccountClient,
      // The account overview lists an account's deals: none unless a test's fake says otherwise.
      opportunity: {
        listOpportunities: async () => ({ opportunities: [], nextCursor: '' }),
        ...(opts.opportunity ?? {}),
      } as never,
      pipeline: {} as never,
      analytics: (opts.analytics ?? {}) as never,
      product: (opts.product ?? {}) as never,
      quote: (opts.quote ?? {}) as never,
      approval: (opts.approval ?? {}) as never,
      serviceTicket: (opts.serviceTicket ?? {
        listTickets: async () => ({ tickets: [], nextCursor: '' }),
      }) as never,
      sla: {} as never,
      pool: (opts.pool ?? {}) as never,
      transfers: {} as never,
      customFields: (opts.customFields ?? {}) as never,
      audit: (opts.audit ?? {}) as never,
      // The account overview shows collections: none unless a test's fake says otherwise.
      payment: {
        getAccountCollections: async () => ({ accountId: '', currencies: [] }),
        ...(opts.payment ?? {}),
      } as never,
      queues: (opts.queues ?? {}) as never,
    },
    users: { list: async () => opts.users ?? [] } as unknown as UserDirectory,
    verifyToken: async (raw) => {
      const c = TOKENS[raw];
      if (!c) throw new InvalidTokenError('bad signature');
      return c;
    },
    audience: AUDIENCE,
    readiness: { lead: async () => opts.ready ?? true },
    idempotency: opts.idempotency,
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    client,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export function auth(user: string, headers: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${user}`, ...headers };
}

export const jsonHeaders = (user: string, extra: Record<string, string> = {}) =>
  auth(user, { 'content-type': 'application/json', ...extra });

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const json = async (res: Response): Promise<any> => res.json();
