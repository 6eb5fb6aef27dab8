import type { PoolState, TransferStamp } from '@crm/ownership';
import { type Connection, Schema } from 'mongoose';
import { keyRegistryModel, outboxSchema, type OutboxEntry } from '@crm/kit';
import type { AccountInput } from '../domain/account';
import type { ActivityInput } from '../domain/activity';
import type { ContactInput, KeyPerson } from '../domain/contact';
import type { Money } from '../domain/money';
import type { Tier, TierOverride, TierRule } from '../domain/tier';

/**
 * An account document. Fields other features rely on (the public pool and ownership transfer work on
 * these, so keep their meaning):
 * - `ownerId` (Keycloak sub, '' while unowned) and `teamId`: record access (canSee/visibilityFilter);
 * - `version`: optimistic concurrency, +1 per change (every write is a compare-and-set on it);
 * - `updatedAt`/`updatedBy`: audit of the last change;
 * - `lastActivityAt`: the latest call/visit/meeting logged or task completed against the account or
 *   one of its contacts. It moves with `$max` and does not bump `version` (logging a call is not an
 *   edit of the account, so it must not make an editor's If-Match stale).
 * - `live`: false once merged (`mergedInto` set) or discarded (`discardedAt` set); such documents stay
 *   as redirects/tombstones and are never listed.
 */
export interface AccountDoc extends AccountInput {
  _id: string;
  pool?: PoolState;
  version: number;
  live: boolean;
  mergedInto: string;
  discardedAt?: Date | null;
  ownerId: string;
  teamId: string;
  /** Effective tier (override or computed). */
  tier: Tier;
  computedTier: Tier;
  tierRuleId: string;
  tierOverride?: TierOverride | null;
  /** The version of the tier rules computedTier came from (absent: rules version 0, none set yet). */
  tierRulesVersion?: number;
  /** The RFM segment analytics last published for the account (AccountSegmentChanged); tier rules use it. */
  rfmSegment?: string;
  /** That event's aggregate version: an older or repeated event changes nothing. */
  rfmSegmentVersion?: number;
  /** "One primary contact" holds by construction: it is one field of this one document. */
  primaryContactId: string;
  primaryContact?: KeyPerson | null;
  lastActivityAt?: Date | null;
  /** Keys computed from the account's own fields (domain, folded name). */
  dedupeKeys: string[];
  /** Keys inherited from accounts merged into this one, so their domains still find the survivor. */
  aliasKeys: string[];
  searchText: string;
  /** The creator's idempotency key (lead conversion); '' when created without one. */
  creationKey: string;
  createdAt: Date;
  createdBy: string;
  updatedAt: Date;
  updatedBy: string;
  outbox: OutboxEntry[];
  transfer?: TransferStamp;
}

const moneySchema = new Schema<Money>({ currencyCode: String, amount: String }, { _id: false });
const keyPersonSchema = new Schema<KeyPerson>(
  { id: String, name: String, title: String, buyingRole: String },
  { _id: false },
);
const overrideSchema = new Schema<TierOverride>(
  { tier: String, reason: String, setBy: String, setAt: Date },
  { _id: false },
);

const accountSchema = new Schema<AccountDoc>(
  {
    _id: String,
    version: { type: Number, required: true },
    live: { type: Boolean, required: true },
    mergedInto: { type: String, default: '' },
    discardedAt: Date,
    name: String,
    domain: String,
    industry: String,
    region: String,
    size: Number,
    annualRevenue: moneySchema,
    openPipeline: moneySchema,
    parentAccountId: { type: String, default: '' },
    lifecycle: String,
    // Validated by @crm/custom-fields on write; values of archived fields stay stored, hidden on read.
    customFields: { type: Schema.Types.Mixed, default: {} },
    ownerId: String,
    teamId: String,
    tier: String,
    computedTier: String,
    tierRuleId: String,
    tierOverride: overrideSchema,
    tierRulesVersion: Number,
    rfmSegment: String,
    rfmSegmentVersion: Number,
    primaryContactId: { type: String, default: '' },
    primaryContact: keyPersonSchema,
    lastActivityAt: Date,
    dedupeKeys: [String],
    aliasKeys: [String],
    searchText: String,
    creationKey: { type: String, default: '' },
    createdAt: Date,
    createdBy: String,
    updatedAt: Date,
    updatedBy: String,
    outbox: [outboxSchema],
    /** Public pool state and the last ownership transfer (see @crm/ownership). */
    pool: Schema.Types.Mixed,
    transfer: Schema.Types.Mixed,
  },
  { versionKey: false, minimize: false },
);
accountSchema.index({ live: 1, createdAt: -1 });
accountSchema.index({ ownerId: 1, createdAt: -1 });
accountSchema.index({ teamId: 1, createdAt: -1 });
accountSchema.index({ parentAccountId: 1 });
accountSchema.index({ mergedInto: 1 });

/** A contact: its own collection and its own outbox; it is visible to whoever may see its account. */
export interface ContactDoc extends ContactInput {
  _id: string;
  version: number;
  accountId: string;
  live: boolean;
  discardedAt?: Date | null;
  creationKey: string;
  lastActivityAt?: Date | null;
  createdAt: Date;
  createdBy: string;
  updatedAt: Date;
  updatedBy: string;
  outbox: OutboxEntry[];
  transfer?: TransferStamp;
}

const contactSchema = new Schema<ContactDoc>(
  {
    _id: String,
    version: { type: Number, required: true },
    accountId: { type: String, required: true },
    live: { type: Boolean, required: true },
    discardedAt: Date,
    firstName: String,
    lastName: String,
    email: String,
    phone: String,
    title: String,
    department: String,
    reportsToContactId: { type: String, default: '' },
    buyingRole: { type: String, default: '' },
    // Validated by @crm/custom-fields on write; values of archived fields stay stored, hidden on read.
    customFields: { type: Schema.Types.Mixed, default: {} },
    creationKey: { type: String, default: '' },
    lastActivityAt: Date,
    createdAt: Date,
    createdBy: String,
    updatedAt: Date,
    updatedBy: String,
    outbox: [outboxSchema],
    /** The last ownership transfer that moved this contact's account (see @crm/ownership). */
    transfer: Schema.Types.Mixed,
  },
  { versionKey: false, minimize: false },
);
contactSchema.index({ accountId: 1, live: 1 });
contactSchema.index({ reportsToContactId: 1 });

/**
 * A task or a logged call, visit or meeting. `accountId` is set when it belongs to an account or to a
 * contact of one, so "everything of this account" is one filter (and what a merge moves, one by one).
 * `at` is the time it is filed under (a task's due date, a call's time) and the sort key of lists.
 */
export interface ActivityDoc extends ActivityInput {
  _id: string;
  version: number;
  accountId: string;
  done: boolean;
  doneAt?: Date | null;
  doneBy: string;
  ownerId: string;
  teamId: string;
  at: Date;
  createdAt: Date;
  createdBy: string;
  updatedAt: Date;
  updatedBy: string;
  outbox: OutboxEntry[];
  transfer?: TransferStamp;
}

const activitySchema = new Schema<ActivityDoc>(
  {
    _id: String,
    version: { type: Number, required: true },
    kind: { type: String, required: true },
    relatedTo: new Schema({ type: { type: String }, id: String }, { _id: false }),
    accountId: { type: String, default: '' },
    opportunityId: { type: String, default: '' },
    subject: String,
    description: String,
    dueAt: Date,
    priority: String,
    assigneeId: String,
    done: Boolean,
    doneAt: Date,
    doneBy: String,
    occurredAt: Date,
    participantContactIds: [String],
    outcome: String,
    nextStep: String,
    ownerId: String,
    teamId: String,
    at: Date,
    createdAt: Date,
    createdBy: String,
    updatedAt: Date,
    updatedBy: String,
    outbox: [outboxSchema],
    /** The last ownership transfer that moved this task (see @crm/ownership). */
    transfer: Schema.Types.Mixed,
  },
  { versionKey: false, minimize: false },
);
activitySchema.index({ accountId: 1, at: -1 });
activitySchema.index({ 'relatedTo.id': 1, at: -1 });
activitySchema.index({ opportunityId: 1, at: -1 });
activitySchema.index({ assigneeId: 1, done: 1, dueAt: 1 });

/** Administrator settings as versioned singleton documents: the tier rules. */
export interface SettingsDoc {
  _id: 'tier';
  version: number;
  rules: TierRule[];
  defaultTier: Tier;
  /** The rules version every account was found current under (see retierPending in domain/tier). */
  retieredVersion?: number;
  updatedAt?: Date;
  updatedBy?: string;
}

const settingsSchema = new Schema<SettingsDoc>(
  {
    _id: String,
    version: Number,
    rules: Schema.Types.Mixed,
    defaultTier: String,
    retieredVersion: Number,
    updatedAt: Date,
    updatedBy: String,
  },
  { versionKey: false, minimize: false },
);

export function registerModels(db: Connection) {
  return {
    // The duplicate keys (domain, folded name) of accounts, claimed before an account is written.
    AccountKey: keyRegistryModel(db, 'AccountKey', 'account_keys', 'accountId'),
    Account: db.model<AccountDoc>('Account', accountSchema, 'accounts'),
    Contact: db.model<ContactDoc>('Contact', contactSchema, 'contacts'),
    Activity: db.model<ActivityDoc>('Activity', activitySchema, 'activities'),
    Settings: db.model<SettingsDoc>('Settings', settingsSchema, 'account_settings'),
  };
}
export type AccountModels = ReturnType<typeof registerModels>;
