import { randomUUID } from 'node:crypto';
import { both } from '@crm/custom-fields';
import {
  changedFields,
  checkVersion,
  ConflictError,
  decodeOffset,
  encodeOffset,
  NotFoundError,
  pageLimit,
  retryOnVersionMismatch,
  stripUndefined,
  ValidationError,
} from '@crm/kit';
import { checkNoCycle, MAX_DEPTH } from '../domain/account';
import {
  type ContactInput,
  type KeyPerson,
  keyPersonOf,
  normaliseContactInput,
  orderKeyPersons,
} from '../domain/contact';
import { idFromCreationKey } from '../domain/ids';
import type { AccountDoc, ContactDoc } from '../store/account.model';
import { type Accounts, mayWork } from './accounts';
import { customFilter, validateNewContact } from './account-custom-fields';
import type { AccountPorts, Caller } from './ports';

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

/**
 * Contacts: the buying committee of an account. Access follows the account; the account shows its
 * primary contact (the first one, unless another is chosen) as a key person.
 */
export class Contacts {
  constructor(
    private readonly p: AccountPorts,
    private readonly accounts: Accounts,
  ) {}

  /** With a creation key, a retry finds the contact its first attempt created (same id). */
  async create(
    accountId: string,
    raw: ContactInput,
    primary: boolean,
    creationKey: string,
    c: Caller,
  ): Promise<{ contact: ContactDoc; account: AccountDoc }> {
    mayWork(c);
    if (creationKey.length > 200)
      throw new ValidationError([{ field: 'creationKey', description: 'must be at most 200 characters' }]);
    const account = await this.accounts.get(accountId, c);
    const id = creationKey ? idFromCreationKey('contact', creationKey) : randomUUID();
    const previous = creationKey ? await this.p.contacts.get(id) : undefined;
    if (previous && previous.creationKey !== creationKey)
      throw new ConflictError('the creation key maps to a contact created with another key');
    if (previous?.live) return { contact: previous, account: await this.accountOf(previous, c) };
    const input = validateNewContact(await this.p.customFields.fields('contact'), raw);
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
    // The first contact of an account becomes its primary contact.
    const makesPrimary = primary || !account.primaryContactId;
    const events = this.accounts.changes.events;
    doc.outbox = [
      events.contactCreated(doc, makesPrimary ? id : account.primaryContactId, c.actor, c.requestId),
    ];
    const stored = previous
      ? await this.p.contacts.revive(doc, previous.version)
      : await this.p.contacts.insert(doc);
    // A concurrent retry with the same creation key got there first: answer with its contact.
    if (!stored) return this.create(accountId, raw, primary, creationKey, c);
    this.p.written('contact', id);
    const after = makesPrimary ? await this.setPrimary(account._id, keyPersonOf(doc), c) : account;
    return { contact: doc, account: after };
  }

  async get(id: string, c: Caller): Promise<{ contact: ContactDoc; account: AccountDoc }> {
    mayWork(c);
    const contact = await this.p.contacts.get(id);
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
    mayWork(c);
    const account = await this.accounts.get(accountId, c);
    const filter = await customFilter(this.p.customFields, 'contact', customFilters);
    const from = decodeOffset(cursor);
    const all = await this.p.contacts.listOf(account._id, MAX_CONTACTS, filter);
    const ordered = orderKeyPersons(all, account.primaryContactId);
    const n = pageLimit(limit);
    const page = ordered.slice(from, from + n);
    return { contacts: page, account, nextCursor: from + n < ordered.length ? encodeOffset(from + n) : '' };
  }

  /** Without If-Match (expected version 0) a concurrent write makes it read again: last writer wins, field by field. */
  async update(
    id: string,
    expectedVersion: number,
    patch: ContactPatch,
    c: Caller,
  ): Promise<{ contact: ContactDoc; account: AccountDoc }> {
    mayWork(c);
    const once = () => this.updateOnce(id, expectedVersion, patch, c);
    return expectedVersion ? once() : retryOnVersionMismatch(once);
  }

  private async updateOnce(
    id: string,
    expectedVersion: number,
    patch: ContactPatch,
    c: Caller,
  ): Promise<{ contact: ContactDoc; account: AccountDoc }> {
    const { contact: current, account } = await this.get(id, c);
    checkVersion(expectedVersion, current.version);
    const { primary, customFields, ...fields } = patch;
    const custom = await this.p.customFields.fields('contact');
    const [normalised, values] = both(
      () => normaliseContactInput({ ...current, ...stripUndefined(fields) } as ContactInput),
      // Only the keys in the patch are checked; archived values stay stored.
      () => custom.validatePatch(current.customFields, customFields),
    );
    const input: ContactInput = { ...normalised, customFields: values };
    if (input.reportsToContactId !== (current.reportsToContactId ?? ''))
      await this.checkReportsTo(current, input.reportsToContactId);
    let primaryId = account.primaryContactId;
    if (primary === true) primaryId = id;
    if (primary === false && primaryId === id) primaryId = '';
    const events = this.accounts.changes.events;
    const next = await this.p.contacts.save(current, { ...input }, c.actor, (n) => {
      const changed = changedFields(current, n, TRACKED);
      return changed.length ? [events.contactUpdated(n, primaryId, changed, c.actor, c.requestId)] : [];
    });
    this.p.written('contact', id);
    let after = account;
    if (primaryId !== account.primaryContactId)
      after = await this.setPrimary(account._id, primaryId ? keyPersonOf(next) : null, c);
    // The primary contact's new name, title or role shows on the account (if it is still the primary).
    else if (primaryId === id) after = await this.setPrimary(account._id, keyPersonOf(next), c, id);
    return { contact: next, account: after };
  }

  /** Saga compensation: removes a contact this creation key made, if nothing refers to it. */
  async discard(id: string, creationKey: string, c: Caller): Promise<boolean> {
    mayWork(c);
    if (!creationKey.trim())
      throw new ValidationError([{ field: 'creationKey', description: 'is required' }]);
    const doc = await this.p.contacts.get(id);
    if (!doc || !doc.live) return false;
    if (doc.creationKey !== creationKey)
      throw new ConflictError('the contact was not created with this creation key');
    const refs = await this.p.contacts.references(id);
    if (refs.activities > 0) throw new ConflictError('the contact has activities; it is not discarded');
    if (refs.reports > 0) throw new ConflictError('the contact has reporting contacts; it is not discarded');
    const events = this.accounts.changes.events;
    await this.p.contacts.save(doc, { live: false, discardedAt: new Date() }, c.actor, (next) => [
      events.contactDiscarded(next, c.actor, c.requestId),
    ]);
    this.p.written('contact', id);
    const account = await this.p.accounts.get(doc.accountId);
    if (account?.live && account.primaryContactId === id) await this.setPrimary(doc.accountId, null, c);
    return true;
  }

  /** Each id is a live contact of the account (without one: of an account the caller may see). */
  async requireParticipants(ids: string[], accountId: string, c: Caller): Promise<void> {
    for (const pid of ids) {
      const p = await this.p.contacts.get(pid);
      const ok =
        p?.live && (accountId ? p.accountId === accountId : await this.accounts.isVisible(p.accountId, c));
      if (!ok)
        throw new ValidationError([
          { field: 'participantContactIds', description: `${pid} is not a contact of the related account` },
        ]);
    }
  }

  /** Sets (or clears, with null) the account's primary contact and its key-person view. */
  private setPrimary(
    accountId: string,
    person: KeyPerson | null,
    c: Caller,
    onlyIfPrimary?: string,
  ): Promise<AccountDoc> {
    return retryOnVersionMismatch(async () => {
      const cur = await this.accounts.changes.live(accountId);
      if (onlyIfPrimary !== undefined && cur.primaryContactId !== onlyIfPrimary) return cur;
      const set = { primaryContactId: person?.id ?? '', primaryContact: person };
      const same =
        set.primaryContactId === (cur.primaryContactId ?? '') &&
        JSON.stringify(person) === JSON.stringify(cur.primaryContact ?? null);
      return same ? cur : this.accounts.changes.save(cur, set, c);
    });
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

  private async requireColleague(accountId: string, contactId: string, selfId: string): Promise<void> {
    const boss = await this.p.contacts.get(contactId);
    if (!boss || !boss.live || boss.accountId !== accountId || contactId === selfId)
      throw new ValidationError([
        { field: 'reportsToContactId', description: 'must be another contact of the same account' },
      ]);
  }

  /** The new manager is a colleague and walking up from them never reaches the contact itself. */
  private async checkReportsTo(self: ContactDoc, bossId: string): Promise<void> {
    if (!bossId) return;
    if (bossId === self._id) checkNoCycle(self._id, bossId, () => undefined, 'manager');
    await this.requireColleague(self.accountId, bossId, self._id);
    const up = new Map<string, string>();
    let at = bossId;
    for (let depth = 0; at && at !== self._id && depth <= MAX_DEPTH; depth++) {
      const next = (await this.p.contacts.get(at))?.reportsToContactId ?? '';
      up.set(at, next);
      at = next;
    }
    checkNoCycle(self._id, bossId, (x) => up.get(x), 'reporting line');
  }
}
