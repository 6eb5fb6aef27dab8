import type { CustomFieldSet, CustomValues } from '@crm/custom-fields';
import type { Actor, KeyConflict, OutboxEntry } from '@crm/kit';
import type { Lifecycle } from '../domain/account';
import type { ActivityKind, RelatedType } from '../domain/activity';
import type { Tier } from '../domain/tier';
import type { AccountDoc, ActivityDoc, ContactDoc, SettingsDoc } from '../store/account.model';

/** Who acts and under which request id (kit's callerOf). */
export interface Caller {
  actor: Actor;
  requestId: string;
}

/** The fields a list of accounts can be sorted by. */
export type AccountSortField = 'createdAt' | 'name';

/** A validated list query: every field already checked by the use case. */
export interface AccountQuery {
  /** Only accounts this actor may see (kit's record access). */
  visibleTo: Actor;
  industry: string;
  region: string;
  lifecycle?: Lifecycle;
  tier?: Tier;
  /** '' for any. */
  rfmSegment: string;
  ownerId: string;
  parentAccountId: string;
  /** Lower-cased free text, matched literally in the account's search text. */
  text: string;
  /** The custom fields' own filter (see CustomFieldSet.filter), when there is one. */
  customFilter?: Record<string, unknown>;
  sort: AccountSortField;
  descending: boolean;
  limit: number;
  cursor: string;
}

/** What still refers to an account (a compensation discards only an account nothing refers to). */
export interface AccountReferences {
  contacts: number;
  activities: number;
  childAccounts: number;
  mergedAccounts: number;
}

export interface AccountRepository {
  /** The account (live, merged or discarded) without its outbox. */
  get(id: string): Promise<AccountDoc | undefined>;
  /** Inserts a new account; false when the id is taken (a concurrent create with the same key). */
  insert(account: AccountDoc): Promise<boolean>;
  /** Writes a discarded account at `version` back to life as `account`; false when it changed meanwhile. */
  revive(account: AccountDoc, version: number): Promise<boolean>;
  list(query: AccountQuery): Promise<{ accounts: AccountDoc[]; nextCursor: string }>;
  /**
   * Compare-and-set on the account's version: the change, who made it and its events in one write.
   * `notMerged` also requires that it was not merged meanwhile. Throws VersionMismatchError when
   * another write came first.
   */
  save(
    current: AccountDoc,
    set: Partial<AccountDoc>,
    actor: Actor,
    events: (next: AccountDoc) => OutboxEntry[],
    opts?: { notMerged?: boolean },
  ): Promise<AccountDoc>;
  references(id: string): Promise<AccountReferences>;
  /** Moves lastActivityAt forward (never back), without a new version (see AccountDoc). */
  touchActivity(id: string, at: Date): Promise<void>;
  /** Child accounts of `fromId` (other than `toId`) get `toId` as parent, one by one; how many moved. */
  reparent(fromId: string, toId: string, actor: Actor): Promise<number>;
  /** Live accounts after `afterId` (by id) whose tier came from rules older than `rulesVersion`. */
  staleTiers(rulesVersion: number, afterId: string, limit: number): Promise<AccountDoc[]>;
  /** Records that the account at `version` is current under `rulesVersion` (no new version). */
  stampTierRules(id: string, version: number, rulesVersion: number): Promise<boolean>;
}

export interface ContactRepository {
  get(id: string): Promise<ContactDoc | undefined>;
  /** Inserts a new contact; false when the id is taken (a concurrent create with the same key). */
  insert(contact: ContactDoc): Promise<boolean>;
  revive(contact: ContactDoc, version: number): Promise<boolean>;
  /** Live contacts of an account (at most `max`), narrowed by a custom-field filter. */
  listOf(accountId: string, max: number, customFilter?: Record<string, unknown>): Promise<ContactDoc[]>;
  save(
    current: ContactDoc,
    set: Partial<ContactDoc>,
    actor: Actor,
    events: (next: ContactDoc) => OutboxEntry[],
  ): Promise<ContactDoc>;
  /** Activities about the contact or with it as a participant, and live contacts reporting to it. */
  references(id: string): Promise<{ activities: number; reports: number }>;
  touchActivity(id: string, at: Date): Promise<void>;
  /** Contacts of `fromAccountId` move to `toAccountId`, one by one, stamped with who moved them. */
  moveToAccount(fromAccountId: string, toAccountId: string, actor: Actor): Promise<number>;
}

/** A validated list query of activities, ordered by the time each is filed under (`at`). */
export interface ActivityQuery {
  /** Exactly one scope: activities about a record, of an account, or tasks of an assignee. */
  scope:
    | { relatedTo: { types: RelatedType[]; id: string } }
    | { accountId: string }
    | { assigneeId: string }
    | { opportunityId: string };
  /** Only activities this actor may see by the activity's own ownership; unset: no such limit. */
  visibleTo?: Actor;
  kinds: ActivityKind[];
  openTasksOnly: boolean;
  dueFrom?: Date;
  dueTo?: Date;
  descending: boolean;
  limit: number;
  cursor: string;
}

export interface ActivityRepository {
  get(id: string): Promise<ActivityDoc | undefined>;
  insert(activity: ActivityDoc): Promise<void>;
  list(query: ActivityQuery): Promise<{ activities: ActivityDoc[]; nextCursor: string }>;
  save(
    current: ActivityDoc,
    set: Partial<ActivityDoc>,
    actor: Actor,
    events: (next: ActivityDoc) => OutboxEntry[],
  ): Promise<ActivityDoc>;
  /** Activities of the account (and those about it) move to `toAccountId`, one by one. */
  moveToAccount(fromAccountId: string, toAccountId: string, actor: Actor): Promise<number>;
}

/** The duplicate keys of accounts, each claimed before the account that has it is written (kit UniqueKeys). */
export interface DuplicateKeys {
  claim(accountId: string, keys: string[]): Promise<KeyConflict | undefined>;
  settle(accountId: string): Promise<void>;
  release(accountId: string, keys: string[]): Promise<void>;
  /** Points the keys at accountId whoever held them (a merge hands them to the survivor). */
  point(accountId: string, keys: string[]): Promise<void>;
  recordIfFree(accountId: string, keys: string[]): Promise<void>;
}

export interface SettingsRepository {
  get(): Promise<SettingsDoc | undefined>;
  /**
   * Writes the tier rules at the version read (0: not stored yet); throws VersionMismatchError when
   * another write came first.
   */
  put(version: number, set: Pick<SettingsDoc, 'rules' | 'defaultTier'>, actor: Actor): Promise<SettingsDoc>;
  /** Records that every account was found current under rules `version`; false if they changed. */
  markRetiered(version: number): Promise<boolean>;
}

/** The custom fields of accounts and contacts (@crm/custom-fields CustomFields). */
export interface CustomFieldRules {
  fields(entity: 'account' | 'contact'): Promise<CustomFieldSet>;
  /** Stored values without archived keys, synchronously (for responses and events). */
  visibleNow(entity: 'account' | 'contact', values: unknown): CustomValues;
}

/** Tells the outbox relay that a record has new events (the service host's `written`). */
export type Written = (kind: 'account' | 'contact' | 'activity', id: string) => void;

/** Everything the use cases of this service are written against. */
/** Asks the service owning a record of another type whether it exists and the caller may see it. */
export interface RelatedRecordCheck {
  /** False for an unknown record and for one the caller may not see; transport trouble throws. */
  isVisible(id: string, c: Caller): Promise<boolean>;
}

/** Asks the opportunity service about a deal, for the caller (on their behalf). */
export interface OpportunityCheck {
  /** The deal's account id; undefined for an unknown deal and one the caller may not see. */
  accountOf(id: string, c: Caller): Promise<string | undefined>;
}

/** One check per record type of another service; a type without one cannot carry activities. */
export type RelatedRecordChecks = Partial<
  Record<Exclude<RelatedType, 'account' | 'contact'>, RelatedRecordCheck>
>;

export interface AccountPorts {
  accounts: AccountRepository;
  contacts: ContactRepository;
  activities: ActivityRepository;
  settings: SettingsRepository;
  keys: DuplicateKeys;
  customFields: CustomFieldRules;
  written: Written;
  /** Records of other services that activities relate to (lead). */
  related: RelatedRecordChecks;
  /** Deals activities are about; without it, activities on opportunities are refused. */
  opportunities?: OpportunityCheck;
}
