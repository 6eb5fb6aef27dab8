import { CustomFields, MemoryDefinitionRepository } from '@crm/custom-fields';
import { type Actor, canSee, type OwnedRecord } from '@crm/kit';
import { AccountMerge } from '../../src/application/account-merge';
import { AccountTiers } from '../../src/application/account-tiers';
import { Accounts } from '../../src/application/accounts';
import { Activities } from '../../src/application/activities';
import { Contacts } from '../../src/application/contacts';
import type { AccountPorts, Caller } from '../../src/application/ports';
import {
  InMemoryAccountRepository,
  InMemoryDatabase,
  InMemoryDuplicateKeys,
  InMemorySettingsRepository,
} from './in-memory-accounts';
import { InMemoryActivityRepository } from './in-memory-activities';
import { InMemoryContactRepository } from './in-memory-contacts';

export { newAccount, newContact } from './inputs';

const actor = (userId: string, roles: string[], teams: string[] = []): Actor => ({
  userId,
  username: userId,
  roles,
  teams,
});

/** The demo users, as the gateway passes them. */
export const users = {
  admin: actor('u-admin', ['crm-admin']),
  manager: actor('u-manager', ['sales-manager'], ['team-east']),
  rep1: actor('u-rep1', ['sales-rep'], ['team-east']),
  rep2: actor('u-rep2', ['sales-rep'], ['team-west']),
  integrator: actor('u-integrator', ['integrator']),
  agent: actor('u-agent', ['support-agent']),
  approver: actor('u-approver', ['approver']),
  leadService: actor('svc-lead', ['lead-service']),
  ticketService: actor('svc-service-ticket', ['service-ticket-service']),
};

export const as = (who: keyof typeof users): Caller => ({ actor: users[who], requestId: `req-${who}` });

/** The account service's use cases over in-memory repositories and real (in-memory) custom fields. */
export async function accountApp() {
  const db = new InMemoryDatabase();
  const customFields = new CustomFields(new MemoryDefinitionRepository(), ['account', 'contact']);
  await customFields.load();
  const written: { kind: string; id: string }[] = [];
  const accountRepository = new InMemoryAccountRepository(db);
  // The lead service's records, as its GetLead answers them: with the caller's record access.
  const leads = new Map<string, OwnedRecord>();
  // The opportunity service's deals, as its GetOpportunity answers them (deal team members see theirs).
  const deals = new Map<string, OwnedRecord & { accountId: string; memberIds?: string[] }>();
  const ports: AccountPorts = {
    accounts: accountRepository,
    contacts: new InMemoryContactRepository(db),
    activities: new InMemoryActivityRepository(db),
    settings: new InMemorySettingsRepository(db),
    keys: new InMemoryDuplicateKeys(db),
    customFields,
    written: (kind, id) => void written.push({ kind, id }),
    related: {
      lead: {
        isVisible: async (id, c) => {
          const lead = leads.get(id);
          return !!lead && canSee(c.actor, lead);
        },
      },
    },
    opportunities: {
      accountOf: async (id, c) => {
        const deal = deals.get(id);
        const member = !!deal?.memberIds?.includes(c.actor.userId);
        return deal && (member || canSee(c.actor, deal)) ? deal.accountId : undefined;
      },
    },
  };
  const accounts = new Accounts(ports);
  const contacts = new Contacts(ports, accounts);
  return {
    db,
    written,
    leads,
    deals,
    customFields,
    accountRepository,
    accounts,
    merge: new AccountMerge(ports, accounts.changes),
    tiers: new AccountTiers(ports, accounts.changes),
    contacts,
    activities: new Activities(ports, accounts, contacts),
  };
}

export type AccountApp = Awaited<ReturnType<typeof accountApp>>;

export const plain = { allowDuplicate: false, creationKey: '', linkDuplicate: false };

/** A list request with no filter, sorted by name; `over` sets what a test filters on. */
export function listQuery(over: Partial<Parameters<AccountApp['accounts']['list']>[0]> = {}) {
  return {
    query: '',
    industry: '',
    region: '',
    ownerId: '',
    parentAccountId: '',
    sort: 'name',
    limit: 50,
    cursor: '',
    ...over,
  };
}
