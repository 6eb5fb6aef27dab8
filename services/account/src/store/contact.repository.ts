import {
  type Actor,
  isDuplicateKey,
  type OutboxEntry,
  saveAtVersion,
  updateAtVersion,
  updateEach,
  updateExclusively,
} from '@crm/kit';
import type { ContactRepository } from '../application/ports';
import { type AccountModels, type ContactDoc } from './account.model';
import { stamp } from './account.repository';

const NO_OUTBOX = { outbox: 0 } as const;

/** Contacts in MongoDB: queries and writes only (the rules are in src/application). */
export class MongoContactRepository implements ContactRepository {
  constructor(private readonly m: AccountModels) {}

  async get(id: string): Promise<ContactDoc | undefined> {
    return (await this.m.Contact.findById(id, NO_OUTBOX).lean<ContactDoc>()) ?? undefined;
  }

  async insert(contact: ContactDoc): Promise<boolean> {
    try {
      await this.m.Contact.create(contact);
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  async revive(contact: ContactDoc, version: number): Promise<boolean> {
    const { _id, outbox, ...rest } = contact;
    return updateAtVersion(
      this.m.Contact,
      _id,
      version,
      { $set: rest, $push: { outbox: { $each: outbox } } },
      { live: false },
    );
  }

  listOf(accountId: string, max: number, customFilter?: Record<string, unknown>): Promise<ContactDoc[]> {
    const and: Record<string, unknown>[] = [{ accountId }, { live: true }];
    if (customFilter) and.push(customFilter);
    return this.m.Contact.find({ $and: and }, NO_OUTBOX).limit(max).lean<ContactDoc[]>();
  }

  save(
    current: ContactDoc,
    set: Partial<ContactDoc>,
    actor: Actor,
    events: (next: ContactDoc) => OutboxEntry[],
  ): Promise<ContactDoc> {
    return saveAtVersion(this.m.Contact, current, set, actor, events);
  }

  async references(id: string): Promise<{ activities: number; reports: number }> {
    const [about, participating, reports] = await Promise.all([
      this.m.Activity.countDocuments({ 'relatedTo.type': 'contact', 'relatedTo.id': id }),
      this.m.Activity.countDocuments({ participantContactIds: id }),
      this.m.Contact.countDocuments({ reportsToContactId: id, live: true }),
    ]);
    return { activities: about + participating, reports };
  }

  async touchActivity(id: string, at: Date): Promise<void> {
    await updateExclusively(this.m.Contact, id, { $max: { lastActivityAt: at } });
  }

  moveToAccount(fromAccountId: string, toAccountId: string, actor: Actor): Promise<number> {
    return updateEach(
      this.m.Contact,
      { accountId: fromAccountId },
      { $set: { accountId: toAccountId, ...stamp(actor) }, $inc: { version: 1 } },
    );
  }
}
