import { randomUUID } from 'node:crypto';
import { both } from '@crm/custom-fields';
import { ConflictError, NotFoundError, updateAtVersion, ValidationError } from '@crm/kit';
import { checkNoCycle } from '../domain/account';
import { type ContactInput, keyPersonOf, normaliseContactInput, orderKeyPersons } from '../domain/contact';
import { idFromCreationKey } from '../domain/ids';
import { AccountEvents } from '../events/account-events';
import { customFilter, fieldSet, validateNewContact } from './account-custom-fields';
import type { AccountDoc, ContactDoc } from './account.model';
import type { AccountStore } from './account.store';
import {
  type Caller,
  casSave,
  changedFields,
  checkVersion,
  decodeOffset,
  encodeOffset,
  isDuplicateKey,
  pageLimit,
  stripUndefined,
} from './common';

export type ContactPatch = Partial<ContactInput> & { primary?: boolean };

const TRACKED: (keyof ContactDoc)[] = [
  'accountId',
  'firstName',
  'lastName',
  'email',
  'phone',
  'title',
  'department',
  'reportsToContactId',
  'buyingRole',
  'customFields',
];
/** A contact list is ordered in memory (key persons first); an account has at most this many listed. */
const MAX_CONTACTS = 2000;

/** Contacts: their own documents and outbox; access follows the account they belong to. */
export class ContactStore {
  private readonly m: AccountStore['m'];

  constructor(
    private readonly accounts: AccountStore,
    private readonly onWrite: (model: 'contact', id: string) => void = () => undefined,
  ) {
    this.m = accounts.m;
  }

  async create(
    accountId: string,
    raw: ContactInput,
    primary: boolean,
    creationKey: string,
    c: Caller,
  ): Promise<{ contact: ContactDoc; account: AccountDoc }> {
    if (creationKey.length > 200)
      throw new ValidationError([{ field: 'creationKey', description: 'must be at most 200 characters' }]);
    const account = await this.accounts.writable(accountId, c);
    const id = creationKey ? idFromCreationKey('contact', creationKey) : randomUUID();
    let previous: ContactDoc | null = null;
    if (creationKey) {
      previous = await this.m.Contact.findById(id, { outbox: 0 }).lean<ContactDoc>();
      if (previous && previous.creationKey !== creationKey)
        throw new ConflictError('the creation key maps to a contact created with another key');
      if (previous?.live) return { contact: previous, account: await this.accountOf(previous, c) };
    }
    const input = validateNewContact(await fieldSet('contact'), raw);
    if (input.reportsToContactId) await this.requireColleague(account._id, input.reportsToContactId, id);
    const now = new Date();
    const doc: ContactDoc = {
      _id: id,
      version: (previous?.version ?? 0) + 1,
      accountId: account._id,
      live: true,
      discardedAt: null,
      ...input,
      creationKey,
      lastActivityAt: null,
      createdAt: now,
      createdBy: c.actor.userId,
      updatedAt: now,
      updatedBy: c.actor.userId,
      outbox: [],
    };
    const makesPrimary = primary || !account.primaryContactId;
    doc.outbox = [
      AccountEvents.contactCreated(doc, makesPrimary ? id : account.primaryContactId, c.actor, c.requestId),
    ];
    try {
      if (previous) {
        const { _id, outbox, ...rest } = doc;
        void _id;
        const revived = await updateAtVersion(
          this.m.Contact,
          id,
          previous.version,
          { $set: rest, $push: { outbox: { $each: outbox } } },
          { live: false },
        );
        if (!revived) return this.create(accountId, raw, primary, creationKey, c);
      } else {
        await this.m.Contact.create(doc);
      }
    } catch (err) {
      if (creationKey && isDuplicateKey(err)) return this.create(accountId, raw, primary, creationKey, c);
      throw err;
    }
    this.onWrite('contact', id);
    // The first contact of an account becomes its primary contact.
    const after = makesPrimary ? await this.accounts.setPrimary(account._id, keyPersonOf(doc), c) : account;
    return { contact: doc, account: after };
  }

  async get(id: string, c: Caller): Promise<{ contact: ContactDoc; account: AccountDoc }> {
    const contact = await this.m.Contact.findById(id, { outbox: 0 }).lean<ContactDoc>();
    if (!contact || !contact.live) throw new NotFoundError('contact', id);
    return { contact, account: await this.accountOf(contact, c) };
  }

  /**
   * The contacts of one account in key-person order (primary, decision-maker, ...), offset-paged;
   * customFilters (custom field key -> value, see @crm/custom-fields filter) narrow the list.
   */
  async list(
    accountId: string,
    limit: number,
    cursor: string,
    c: Caller,
    customFilters?: Record<string, string>,
  ): Promise<{ contacts: ContactDoc[]; account: AccountDoc; nextCursor: string }> {
    const account = await this.accounts.get(accountId, c);
    const custom = await customFilter('contact', customFilters);
    const and: Record<string, unknown>[] = [{ accountId: account._id }, { live: true }];
    if (custom) and.push(custom);
    const all = await this.m.Contact.find({ $and: and }, { outbox: 0 })
      .limit(MAX_CONTACTS)
      .lean<ContactDoc[]>();
    const ordered = orderKeyPersons(all, account.primaryContactId);
    const from = decodeOffset(cursor);
    const n = pageLimit(limit);
    const page = ordered.slice(from, from + n);
    return { contacts: page, account, nextCursor: from + n < ordered.length ? encodeOffset(from + n) : '' };
  }

  async update(
    id: string,
    expectedVersion: number,
    patch: ContactPatch,
    c: Caller,
  ): Promise<{ contact: ContactDoc; account: AccountDoc }> {
    const { contact: current, account } = await this.get(id, c);
    checkVersion(expectedVersion, current.version);
    const { primary, customFields, ...fields } = patch;
    const custom = await fieldSet('contact');
    const [normalised, values] = both(
      () => normaliseContactInput({ ...current, ...stripUndefined(fields) } as ContactInput),
      // Only the keys in the patch are checked; archived values stay stored.
      () => custom.validatePatch(current.customFields, customFields),
    );
    const input: ContactInput = { ...normalised, customFields: values };
    if (input.reportsToContactId !== (current.reportsToContactId ?? '')) {
      await this.checkReportsTo(current, input.reportsToContactId);
    }
    const set: Partial<ContactDoc> = { ...input };
    let primaryId = account.primaryContactId;
    if (primary === true) primaryId = id;
    if (primary === false && primaryId === id) primaryId = '';
    const next = await casSave(this.m.Contact, current, set, c, (n) => {
      const changed = changedFields(current, n, TRACKED);
      return changed.length
        ? [AccountEvents.contactUpdated(n, primaryId, changed, c.actor, c.requestId)]
        : [];
    });
    this.onWrite('contact', id);
    let after = account;
    if (primaryId !== account.primaryContactId)
      after = await this.accounts.setPrimary(account._id, primaryId ? keyPersonOf(next) : null, c);
    else if (primaryId === id) await this.accounts.refreshPrimary(account._id, keyPersonOf(next), c);
    return { contact: next, account: after };
  }

  /** Saga compensation: removes a contact this creation key made, if nothing refers to it. */
  async discard(id: string, creationKey: string, c: Caller): Promise<boolean> {
    if (!creationKey.trim())
      throw new ValidationError([{ field: 'creationKey', description: 'is required' }]);
    const doc = await this.m.Contact.findById(id, { outbox: 0 }).lean<ContactDoc>();
    if (!doc || !doc.live) return false;
    if (doc.creationKey !== creationKey)
      throw new ConflictError('the contact was not created with this creation key');
    const refs: [string, Promise<number>][] = [
      ['activities', this.m.Activity.countDocuments({ 'relatedTo.type': 'contact', 'relatedTo.id': id })],
      ['activities', this.m.Activity.countDocuments({ participantContactIds: id })],
      ['reporting contacts', this.m.Contact.countDocuments({ reportsToContactId: id, live: true })],
    ];
    for (const [what, count] of refs) {
      if ((await count) > 0) throw new ConflictError(`the contact has ${what}; it is not discarded`);
    }
    await casSave(this.m.Contact, doc, { live: false, discardedAt: new Date() }, c, (next) => [
      AccountEvents.contactDiscarded(next, c.actor, c.requestId),
    ]);
    this.onWrite('contact', id);
    const account = await this.m.Account.findById(doc.accountId, { primaryContactId: 1 }).lean<AccountDoc>();
    if (account?.primaryContactId === id) await this.accounts.setPrimary(doc.accountId, null, c);
    return true;
  }

  /** Live contacts by id that belong to (or, for ids of other services' records, are visible via) an account. */
  async requireParticipants(ids: string[], accountId: string, c: Caller): Promise<void> {
    for (const pid of ids) {
      const p = await this.m.Contact.findById(pid, { accountId: 1, live: 1 }).lean<ContactDoc>();
      const ok =
        p?.live &&
        (accountId ? p.accountId === accountId : await this.accounts.canSeeAccount(p.accountId, c));
      if (!ok)
        throw new ValidationError([
          { field: 'participantContactIds', description: `${pid} is not a contact of the related account` },
        ]);
    }
  }

  /** The contact's account, visible to the caller (an interrupted merge may still point at the merged id). */
  private async accountOf(contact: ContactDoc, c: Caller): Promise<AccountDoc> {
    try {
      return await this.accounts.get(contact.accountId, c);
    } catch (err) {
      if (err instanceof NotFoundError) throw new NotFoundError('contact', contact._id);
      throw err;
    }
  }

  private async requireColleague(accountId: string, contactId: string, selfId: string): Promise<ContactDoc> {
    const boss = await this.m.Contact.findById(contactId, {
      accountId: 1,
      live: 1,
      reportsToContactId: 1,
    }).lean<ContactDoc>();
    if (!boss || !boss.live || boss.accountId !== accountId || contactId === selfId)
      throw new ValidationError([
        { field: 'reportsToContactId', description: 'must be another contact of the same account' },
      ]);
    return boss;
  }

  private async checkReportsTo(self: ContactDoc, bossId: string): Promise<void> {
    if (!bossId) return;
    if (bossId === self._id) checkNoCycle(self._id, bossId, () => undefined, 'manager');
    await this.requireColleague(self.accountId, bossId, self._id);
    const up = new Map<string, string>();
    let at = bossId;
    for (let depth = 0; at && at !== self._id && depth <= 50; depth++) {
      const d = await this.m.Contact.findById(at, { reportsToContactId: 1 }).lean<ContactDoc>();
      const next = d?.reportsToContactId ?? '';
      up.set(at, next);
      at = next;
    }
    checkNoCycle(self._id, bossId, (x) => up.get(x), 'reporting line');
  }
}
