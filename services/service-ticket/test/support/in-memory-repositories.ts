import { type Actor, decodeOffset, encodeOffset, VersionMismatchError } from '@crm/kit';
import { InMemoryVersioned } from '@crm/kit/testing';
import type {
  Caller,
  SettingsRepository,
  TicketPorts,
  TicketQuery,
  TicketRepository,
} from '../../src/application/ports';
import type {
  CalendarDoc,
  PolicyDoc,
  ServiceSettingsDoc,
  SettingsDoc,
  TicketDoc,
} from '../../src/store/ticket.model';
import { OPEN_STATUSES } from '../../src/domain/ticket';
import { confirmationTokens } from '../../src/tokens/confirmation-token';

/** Tickets with the write semantics of kit's saveAtVersion (kit InMemoryVersioned), and the store's queries. */
export class InMemoryTickets extends InMemoryVersioned<TicketDoc> implements TicketRepository {
  async dueForSlaCheck(now: Date, limit: number) {
    return [...this.docs.values()]
      .filter((t) => t.slaCheckAt.getTime() <= now.getTime())
      .sort((a, b) => a.slaCheckAt.getTime() - b.slaCheckAt.getTime())
      .slice(0, limit)
      .map((t) => ({ ...structuredClone(t), outbox: [] }));
  }

  async ofAccount(accountId: string) {
    return [...this.docs.values()]
      .filter((t) => t.accountId === accountId)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
      .map((t) => ({ ...structuredClone(t), outbox: [] }));
  }

  async openAssignedOnAccount(accountId: string, assigneeId: string) {
    return [...this.docs.values()]
      .filter((t) => t.accountId === accountId && t.assigneeId === assigneeId)
      .filter((t) => (OPEN_STATUSES as readonly string[]).includes(t.status))
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
      .map((t) => ({ ...structuredClone(t), outbox: [] }));
  }

  async dueForAutoClose(now: Date, limit: number) {
    return [...this.docs.values()]
      .filter((t) => t.status === 'resolved' && !!t.autoCloseAt && t.autoCloseAt.getTime() <= now.getTime())
      .slice(0, limit)
      .map((t) => ({ ...structuredClone(t), outbox: [] }));
  }

  /** Newest first or nearest due first, offset-paged (the store pages by cursor; the order is what matters here). */
  async list(q: TicketQuery) {
    const hits = [...this.docs.values()]
      .filter((t) => !q.queuesIn || q.queuesIn.includes(t.queue))
      .filter((t) => !q.status || t.status === q.status)
      .filter((t) => !q.queue || t.queue === q.queue)
      .filter((t) => !q.assigneeId || t.assigneeId === q.assigneeId)
      .filter((t) => !q.priority || t.priority === q.priority)
      .filter((t) => !q.accountId || t.accountId === q.accountId)
      .filter((t) => !q.slaState || t.slaState === q.slaState)
      .sort((a, b) =>
        q.sort === 'sla'
          ? a.slaSortAt.getTime() - b.slaSortAt.getTime() || a._id.localeCompare(b._id)
          : b.createdAt.getTime() - a.createdAt.getTime() || b._id.localeCompare(a._id),
      );
    const from = decodeOffset(q.cursor);
    return {
      tickets: hits.slice(from, from + q.limit),
      nextCursor: from + q.limit < hits.length ? encodeOffset(from + q.limit) : '',
    };
  }
}

/** Calendars, policies or the service settings by id, with compare-and-set like the store. */
export class InMemorySettings<T extends SettingsDoc> implements SettingsRepository<T> {
  readonly docs = new Map<string, T>();
  async get(id: string) {
    const d = this.docs.get(id);
    return d ? structuredClone(d) : undefined;
  }
  async list() {
    return [...this.docs.values()].map((d) => structuredClone(d));
  }
  async insert(doc: T) {
    if (this.docs.has(doc._id)) return false;
    this.docs.set(doc._id, structuredClone(doc));
    return true;
  }
  async save(current: T, set: Partial<T>, actor: Actor) {
    const stored = this.docs.get(current._id);
    if (!stored || stored.version !== current.version)
      throw new VersionMismatchError(current.version, stored?.version ?? current.version);
    const next = {
      ...current,
      ...set,
      version: current.version + 1,
      updatedAt: new Date(),
      updatedBy: actor.userId,
    };
    this.docs.set(current._id, structuredClone(next));
    return next;
  }
}

export function inMemoryPorts() {
  const tickets = new InMemoryTickets();
  const written: string[] = [];
  /** Accounts by id, with the users (besides staff) who may see each. */
  const accounts = new Map<string, string[]>([
    ['acc-1', ['rep1']],
    ['acc-2', ['rep2']],
  ]);
  /** Account tiers; acc-1 is a tier-A account. */
  const tiers = new Map<string, string>([['acc-1', 'A']]);
  const calendars = new InMemorySettings<CalendarDoc>();
  const policies = new InMemorySettings<PolicyDoc>();
  const serviceSettings = new InMemorySettings<ServiceSettingsDoc>();
  /** Contact id -> its account id. */
  const contacts = new Map<string, string>([['contact-1', 'acc-1']]);
  const staff = (c: Caller) => !c.actor.roles.some((r) => r === 'sales-rep' || r === 'sales-manager');
  const visible = (id: string, c: Caller) =>
    accounts.has(id) && (staff(c) || accounts.get(id)!.includes(c.actor.userId));
  const ports: TicketPorts = {
    tickets,
    calendars,
    policies,
    accounts: {
      isVisible: async (id, c) => visible(id, c),
      summaryOf: async (id, c) =>
        visible(id, c) ? { name: `Account ${id}`, tier: tiers.get(id) ?? '' } : undefined,
      accountOfContact: async (id) => contacts.get(id),
    },
    customFields: {
      validateCreate: async (_e, v) => ({ ...(v as object) }),
      validatePatch: async (_e, cur, patch) => ({ ...(cur as object), ...(patch as object) }),
    },
    // Real tokens (jose): the closed loop is worth testing with tampering.
    confirmations: confirmationTokens('unit-test-secret'),
    closedLoop: { confirmationLinkDays: 14, autoCloseDays: 7, reopenWindowDays: 30 },
    written: (id) => void written.push(id),
    serviceSettings,
    settingsWritten: (id) => void written.push(id),
  };
  return { ports, tickets, written, accounts, calendars, policies, serviceSettings };
}
