import type { Actor, OutboxEntry } from '@crm/kit';
import type { CalendarDoc, PolicyDoc, ServiceSettingsDoc, TicketDoc } from '../store/ticket.model';

/** Who acts and under which request id (kit's callerOf). */
export interface Caller {
  actor: Actor;
  requestId: string;
}

/** A validated list query of tickets, newest first. */
export interface TicketQuery {
  /** Only tickets of these queues; undefined for every queue. */
  queuesIn?: string[];
  status: string;
  queue: string;
  assigneeId: string;
  priority: string;
  accountId: string;
  slaState: string;
  /** 'created' (newest first) or 'sla' (nearest due first). */
  sort: string;
  limit: number;
  cursor: string;
}

export interface TicketRepository {
  get(id: string): Promise<TicketDoc | undefined>;
  /** Inserts a new ticket; false when the id is taken. */
  insert(ticket: TicketDoc): Promise<boolean>;
  list(query: TicketQuery): Promise<{ tickets: TicketDoc[]; nextCursor: string }>;
  /** Tickets whose slaCheckAt has come, oldest first. */
  dueForSlaCheck(now: Date, limit: number): Promise<TicketDoc[]>;
  /** Open tickets (new, open, pending) of an account assigned to this agent, oldest first. */
  openAssignedOnAccount(accountId: string, assigneeId: string): Promise<TicketDoc[]>;
  /** Every ticket of an account, whatever its status, oldest first. */
  ofAccount(accountId: string): Promise<TicketDoc[]>;
  /** Resolved tickets whose autoCloseAt has come, oldest first. */
  dueForAutoClose(now: Date, limit: number): Promise<TicketDoc[]>;
  /** Compare-and-set on the version with its events; throws VersionMismatchError when another write came first. */
  save(
    current: TicketDoc,
    set: Partial<TicketDoc>,
    actor: Actor,
    events: (next: TicketDoc) => OutboxEntry[],
  ): Promise<TicketDoc>;
}

/** What a ticket keeps of its account. */
export interface AccountSummary {
  name: string;
  tier: string;
}

/** Asks the account service about a ticket's account and contact. */
export interface AccountCheck {
  /**
   * False for an unknown account and for one the caller may not see; transport trouble throws.
   * Support staff do not see accounts themselves: for them the service asks under its own identity.
   */
  isVisible(id: string, c: Caller): Promise<boolean>;
  /**
   * The account's name and tier (strategic, A, B, C; '' if unset) when it exists and is visible, else
   * undefined.
   */
  summaryOf(id: string, c: Caller): Promise<AccountSummary | undefined>;
  /** The account of a contact; undefined for an unknown or invisible contact. */
  accountOfContact(contactId: string, c: Caller): Promise<string | undefined>;
}

/** Business calendars or SLA policies. */
export interface SettingsRepository<T> {
  get(id: string): Promise<T | undefined>;
  list(): Promise<T[]>;
  /** Inserts; false when the id is taken. */
  insert(doc: T): Promise<boolean>;
  save(current: T, set: Partial<T>, actor: Actor, events: (next: T) => OutboxEntry[]): Promise<T>;
}

/** Custom fields of entity "ticket" (@crm/custom-fields). */
export interface TicketCustomFields {
  validateCreate(entity: 'ticket', values: unknown): Promise<Record<string, unknown>>;
  validatePatch(entity: 'ticket', current: unknown, patch: unknown): Promise<Record<string, unknown>>;
}

/** Signs and checks the customer's confirmation links. */
export interface ConfirmationTokens {
  issue(ticketId: string, nonce: string, expiresAt: Date): Promise<string>;
  /** The ticket and nonce of a genuine, unexpired token; undefined for anything else. */
  verify(token: string): Promise<{ ticketId: string; nonce: string } | undefined>;
}

/** How the closed loop is tuned (days): the environment's defaults until the service settings are saved. */
export interface ClosedLoopSettings {
  /** How long a confirmation link works. */
  confirmationLinkDays: number;
  /** A resolved ticket the customer does not answer closes itself after this many days. */
  autoCloseDays: number;
  /** A closed ticket may be reopened within this many days of closing. */
  reopenWindowDays: number;
}

/** Tells the outbox relay that a ticket has new events (the service host's `written`). */
export type Written = (id: string) => void;

/** Everything the use cases of this service are written against. */
export interface TicketPorts {
  tickets: TicketRepository;
  accounts: AccountCheck;
  calendars: SettingsRepository<CalendarDoc>;
  policies: SettingsRepository<PolicyDoc>;
  customFields: TicketCustomFields;
  confirmations: ConfirmationTokens;
  closedLoop: ClosedLoopSettings;
  written: Written;
  /** The saved service settings (one document); absent until a manager saves them. */
  serviceSettings: SettingsRepository<ServiceSettingsDoc>;
  /** Tells the outbox relay that the service settings have new events. */
  settingsWritten: Written;
}
