import type { CustomFieldSet } from '@crm/custom-fields';
import type { Actor, KeyConflict, OutboxEntry } from '@crm/kit';
import type { SagaState } from '@crm/saga';
import type { ConversionData } from '../domain/convert-lead';
import type { LeadStatus } from '../domain/lead';
import type { ConversionSagaDoc, LeadDoc, OpenConversionDoc, SettingsDoc } from '../store/lead.model';

export type { AccountPort } from '../domain/convert-lead';

/** Who acts and under which request id (kit's callerOf). */
export interface Caller {
  actor: Actor;
  requestId: string;
}

/** The fields a list of leads can be sorted by. */
export type LeadSortField = 'createdAt' | 'score' | 'lastName' | 'company';

/** A validated list query: every field already checked by the use case. */
export interface LeadQuery {
  /** Only leads this actor may see (kit's record access). */
  visibleTo: Actor;
  statuses: LeadStatus[];
  ownerId: string;
  source: string;
  region: string;
  industry: string;
  createdFrom?: Date;
  createdTo?: Date;
  /** Lower-cased free text, matched literally in the lead's search text. */
  text: string;
  /** The custom fields' own filter (see CustomFieldSet.filter), when there is one. */
  customFilter?: Record<string, unknown>;
  sort: LeadSortField;
  descending: boolean;
  limit: number;
  cursor: string;
}

export interface LeadRepository {
  /** The lead without its outbox. */
  get(id: string): Promise<LeadDoc | undefined>;
  insert(lead: LeadDoc): Promise<void>;
  insertMany(leads: LeadDoc[]): Promise<void>;
  /** Which of these ids are stored. */
  storedIds(ids: string[]): Promise<Set<string>>;
  list(query: LeadQuery): Promise<{ leads: LeadDoc[]; nextCursor: string }>;
  /**
   * Compare-and-set on the lead's version: the change, who made it and its events in one write.
   * Throws VersionMismatchError when another write came first.
   */
  save(
    current: LeadDoc,
    set: Partial<LeadDoc>,
    actor: Actor,
    events: (next: LeadDoc) => OutboxEntry[],
  ): Promise<LeadDoc>;
  /** Open leads each of the reps owns (for the assignment cap), in one read; a rep without any is left out. */
  countOpen(ownerIds: string[], open: LeadStatus[]): Promise<Map<string, number>>;
  /** Moves the lead's last activity forward to at (never back); false when there is no such lead. */
  touchActivity(id: string, at: Date): Promise<boolean>;
  /** Converted leads that point at a merged account point at its survivor; returns how many moved. */
  repointConversions(mergedAccountId: string, survivorAccountId: string): Promise<number>;
}

/**
 * The duplicate keys of leads, each claimed before the lead that has it is written (kit UniqueKeys);
 * a fresh claim counts as held until the lead is written, so there is nothing to do after the write.
 */
export interface DuplicateKeys {
  claim(leadId: string, keys: string[]): Promise<KeyConflict | undefined>;
  release(leadId: string, keys: string[]): Promise<void>;
  recordIfFree(leadId: string, keys: string[]): Promise<void>;
}

export type SettingsId = SettingsDoc['_id'];

export interface SettingsRepository {
  get(id: SettingsId): Promise<SettingsDoc | undefined>;
  /** Several settings documents in one read (the stored ones; a missing one is left out). */
  getMany(ids: SettingsId[]): Promise<SettingsDoc[]>;
  /**
   * Writes the settings at the version read (0: not stored yet); throws VersionMismatchError when
   * another write came first.
   */
  put(id: SettingsId, version: number, set: Partial<SettingsDoc>, actor: Actor): Promise<SettingsDoc>;
  /**
   * The round-robin position of an assignment rule before this turn; moves it on by one. `seen`: the
   * assignment settings as just read, tried first instead of reading them again.
   */
  takeTurn(ruleId: string, seen?: SettingsDoc): Promise<number>;
}

/** The conversion saga's persistence: its journal and lease in the lead, and the list of open ones. */
export interface ConversionRepository {
  /** Notes a conversion that may be running, for the recovery job (before the saga starts). */
  noteOpen(leadId: string, key: string, since: Date): Promise<void>;
  openConversions(limit: number): Promise<OpenConversionDoc[]>;
  closeOpen(leadId: string): Promise<void>;
  /** Puts the saga into the lead at its version; throws VersionMismatchError when the lead moved on. */
  start(lead: LeadDoc, saga: ConversionSagaDoc, actor: Actor): Promise<void>;
  /** Takes over an expired lease; false when another runner took it first. */
  takeOver(leadId: string, key: string, expiredLease: Date, leaseUntil: Date): Promise<boolean>;
  journal(leadId: string, state: SagaState<ConversionData>, leaseUntil: Date): Promise<void>;
  /** The run is over: the lease ends now, so a retry need not wait for it. */
  endLease(leadId: string, key: string): Promise<void>;
}

/** The custom fields of leads as they are now (definitions cached by @crm/custom-fields). */
export interface LeadCustomFields {
  fields(): Promise<CustomFieldSet>;
}
