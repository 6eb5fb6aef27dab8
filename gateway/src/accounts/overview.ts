import type { Request } from 'express';
import type { account as pb } from '@crm/proto';
import { activityToJson } from '../activities/mapping';
import { opportunityToJson } from '../opportunities/schemas';
import { collectionToJson } from '../opportunities/payment.schemas';
import { ticketToJson } from '../tickets/schemas';
import type { RouteDeps } from '../route-deps';
import { contactToJson } from './mapping';

/**
 * The account overview is built from parts, each fetched in parallel under its own deadline. A part
 * that fails or does not answer in time is reported as unavailable while the others still answer, so
 * one slow service never takes the whole page down. A later service (opportunities, tickets) joins by
 * adding one entry to `overviewParts`.
 */
export interface OverviewContext {
  deps: RouteDeps;
  req: Request;
  account: pb.Account;
}

export interface OverviewPart<C = OverviewContext> {
  /** The key of the part in the response. */
  name: string;
  /** Fetches the part; `signal` aborts when the part's deadline passes. `deadline` is for gRPC calls. */
  fetch(ctx: C, signal: AbortSignal, deadline: Date): Promise<Record<string, unknown>>;
}

export type PartResult =
  ({ status: 'ok' } & Record<string, unknown>) | { status: 'unavailable'; detail: string };

export class PartTimeout extends Error {}

/** Runs every part in parallel, each bounded by timeoutMs; never rejects. */
export async function gatherParts<C>(
  parts: OverviewPart<C>[],
  ctx: C,
  timeoutMs: number,
  onError: (part: string, err: unknown) => void = () => undefined,
): Promise<{ parts: Record<string, PartResult>; partial: boolean; unavailable: string[] }> {
  const results = await Promise.all(
    parts.map(async (part): Promise<[string, PartResult]> => {
      const abort = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          abort.abort();
          reject(new PartTimeout(`no answer within ${timeoutMs} ms`));
        }, timeoutMs);
      });
      try {
        const deadline = new Date(Date.now() + timeoutMs);
        const data = await Promise.race([part.fetch(ctx, abort.signal, deadline), timeout]);
        return [part.name, { ...data, status: 'ok' }];
      } catch (err) {
        onError(part.name, err);
        const detail =
          err instanceof PartTimeout ? err.message : `${part.name} could not be loaded; try again later`;
        return [part.name, { status: 'unavailable', detail }];
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const unavailable = results.filter(([, r]) => r.status !== 'ok').map(([n]) => n);
  return { parts: Object.fromEntries(results), partial: unavailable.length > 0, unavailable };
}

const callOpts = (ctx: OverviewContext, signal: AbortSignal, deadline: Date) => ({
  ...ctx.deps.rpc.opts(ctx.req),
  deadline,
  signal,
});

/** The contacts, key persons first (the account service orders them). */
const contactsPart: OverviewPart = {
  name: 'contacts',
  async fetch(ctx, signal, deadline) {
    const reply = await ctx.deps.clients.account.listContacts(
      { accountId: ctx.account.id, page: { limit: 50, cursor: '' } },
      callOpts(ctx, signal, deadline),
    );
    return { items: reply.contacts.map(contactToJson), more: !!reply.page?.nextCursor };
  },
};

/** The latest activities of the account and its contacts. */
const activitiesPart: OverviewPart = {
  name: 'activities',
  async fetch(ctx, signal, deadline) {
    const reply = await ctx.deps.clients.account.listActivities(
      { accountId: ctx.account.id, kinds: [], sort: '-at', page: { limit: 20, cursor: '' } },
      callOpts(ctx, signal, deadline),
    );
    return { items: reply.activities.map(activityToJson), more: !!reply.page?.nextCursor };
  },
};

/** The account's service tickets that are not closed, nearest SLA due first (the service-ticket service). */
const ticketsPart: OverviewPart = {
  name: 'tickets',
  async fetch(ctx, signal, deadline) {
    const reply = await ctx.deps.clients.serviceTicket.listTickets(
      {
        accountId: ctx.account.id,
        status: '',
        queue: '',
        assigneeId: '',
        priority: '',
        slaState: '',
        sort: 'sla',
        limit: 50,
        cursor: '',
      },
      callOpts(ctx, signal, deadline),
    );
    const open = reply.tickets.filter((t) => t.status !== 'closed');
    return { items: open.map(ticketToJson), more: !!reply.nextCursor };
  },
};

/** The account's open and won deals the caller can see, newest first (the opportunity service); lost ones are left out. */
const opportunitiesPart: OverviewPart = {
  name: 'opportunities',
  async fetch(ctx, signal, deadline) {
    const reply = await ctx.deps.clients.opportunity.listOpportunities(
      {
        stageKey: '',
        ownerId: '',
        teamId: '',
        accountId: ctx.account.id,
        pipelineId: '',
        closeDateFrom: '',
        closeDateTo: '',
        forecastCategory: '',
        limit: 50,
        cursor: '',
      },
      callOpts(ctx, signal, deadline),
    );
    const kept = reply.opportunities.filter((o) => o.status !== 'lost');
    return { items: kept.map(opportunityToJson), more: !!reply.nextCursor };
  },
};

/** Collected vs outstanding per currency over the account's deals the caller can see (payment milestones). */
const paymentsPart: OverviewPart = {
  name: 'payments',
  async fetch(ctx, signal, deadline) {
    const reply = await ctx.deps.clients.payment.getAccountCollections(
      { accountId: ctx.account.id },
      callOpts(ctx, signal, deadline),
    );
    return { currencies: reply.currencies.map(collectionToJson) };
  },
};

/** The registry: a later service adds its part here. */
export const overviewParts: OverviewPart[] = [
  contactsPart,
  activitiesPart,
  opportunitiesPart,
  ticketsPart,
  paymentsPart,
];
