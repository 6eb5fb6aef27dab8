import type { Actor, OutboxEntry } from '@crm/kit';
import type { ContactRepository } from '../../src/application/ports';
import type { ContactDoc } from '../../src/store/account.model';
import { type InMemoryDatabase, moved } from './in-memory-accounts';
import { matchesCustomFilter } from './in-memory-records';

export class InMemoryContactRepository implements ContactRepository {
  constructor(private readonly db: InMemoryDatabase) {}

  async get(id: string) {
    return this.db.contacts.get(id);
  }

  async insert(contact: ContactDoc) {
    return this.db.contacts.insert(contact);
  }

  async revive(contact: ContactDoc, version: number) {
    return this.db.contacts.replaceAt(contact, version, (s) => !s.live);
  }

  async listOf(accountId: string, max: number, customFilter?: Record<string, unknown>) {
    return this.db.contacts
      .all()
      .filter((c) => c.accountId === accountId && c.live && matchesCustomFilter(c, customFilter))
      .slice(0, max);
  }

  async save(
    current: ContactDoc,
    set: Partial<ContactDoc>,
    actor: Actor,
    events: (next: ContactDoc) => OutboxEntry[],
  ) {
    return this.db.contacts.save(current, set, actor, events);
  }

  async references(id: string) {
    const activities = this.db.activities
      .all()
      .filter(
        (a) =>
          (a.relatedTo.type === 'contact' && a.relatedTo.id === id) || a.participantContactIds.includes(id),
      ).length;
    const reports = this.db.contacts.all().filter((c) => c.reportsToContactId === id && c.live).length;
    return { activities, reports };
  }

  async touchActivity(id: string, at: Date) {
    this.db.contacts.patch(id, (c) => ({
      lastActivityAt: c.lastActivityAt && c.lastActivityAt > at ? c.lastActivityAt : at,
    }));
  }

  async moveToAccount(fromAccountId: string, toAccountId: string, actor: Actor) {
    const moving = this.db.contacts.all().filter((c) => c.accountId === fromAccountId);
    for (const c of moving)
      this.db.contacts.patch(c._id, (x) => ({ accountId: toAccountId, ...moved(x, actor) }));
    return moving.length;
  }
}
