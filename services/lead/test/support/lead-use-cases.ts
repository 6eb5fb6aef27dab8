import { CustomFieldSet, type FieldDefinition } from '@crm/custom-fields';
import { type Actor, createLogger, type InsertedOutbox } from '@crm/kit';
import { LeadActivity } from '../../src/application/lead-activity';
import { LeadConversions } from '../../src/application/lead-conversion';
import { LeadImport } from '../../src/application/lead-import';
import { LeadRouting } from '../../src/application/lead-routing';
import { LeadSettings } from '../../src/application/lead-settings';
import { Leads } from '../../src/application/leads';
import type { AccountPort, Caller } from '../../src/application/ports';
import type { OpportunityPort } from '../../src/domain/convert-lead';
import type { LeadInput } from '../../src/domain/lead';
import { InMemoryConversionRepository } from './in-memory-conversions';
import { InMemoryDuplicateKeys, InMemoryLeadRepository } from './in-memory-leads';
import { InMemorySettingsRepository } from './in-memory-settings';

const actor = (userId: string, roles: string[], teams: string[] = []): Actor => ({
  userId,
  username: userId,
  roles,
  teams,
});

export const as = (a: Actor): Caller => ({ actor: a, requestId: 'req-1' });

export const users = {
  rep1: actor('rep1', ['sales-rep'], ['east']),
  rep2: actor('rep2', ['sales-rep'], ['east']),
  manager: actor('manager', ['sales-manager'], ['east']),
  westManager: actor('west-manager', ['sales-manager'], ['west']),
  admin: actor('admin', ['crm-admin']),
  integrator: actor('integrator', ['integrator']),
  agent: actor('agent', ['support-agent']),
  approver: actor('approver', ['approver']),
};

export const leadInput = (over: Partial<LeadInput> = {}): LeadInput => ({
  firstName: 'Ada',
  lastName: 'Lovelace',
  email: 'ada@analytical.example.com',
  phone: '',
  company: 'Analytical Engines',
  title: '',
  contactLevel: '',
  region: 'east',
  industry: 'software',
  source: 'web',
  attributes: {},
  ...over,
});

/** A custom text field of leads, as an administrator defined it. */
export const textField = (key: string, over: Partial<FieldDefinition> = {}): FieldDefinition => ({
  entity: 'lead',
  key,
  label: key,
  type: 'text',
  required: false,
  constraints: {},
  version: 1,
  archived: false,
  createdAt: new Date(0),
  createdBy: 'admin',
  updatedAt: new Date(0),
  updatedBy: 'admin',
  ...over,
});

/** Every lead use case over in-memory repositories, as main.ts wires them over MongoDB. */
export function leadUseCases(
  opts: { accounts?: AccountPort; opportunities?: OpportunityPort; fields?: FieldDefinition[] } = {},
) {
  const repository = new InMemoryLeadRepository();
  const keys = new InMemoryDuplicateKeys();
  const settingsRepository = new InMemorySettingsRepository();
  const conversionRepository = new InMemoryConversionRepository(repository);
  const definitions = opts.fields ?? [];
  const customFields = { fields: async () => new CustomFieldSet('lead', definitions) };
  const written: (string | undefined)[] = [];
  /** What a writer handed the relay with its kick, by lead id (inserts only). */
  const handed = new Map<string, InsertedOutbox>();
  const routing = new LeadRouting(repository, settingsRepository);
  const deps = {
    leads: repository,
    keys,
    routing,
    customFields,
    written: (id?: string, inserted?: InsertedOutbox) => {
      written.push(id);
      if (id && inserted) handed.set(id, inserted);
    },
  };
  const leads = new Leads(deps);
  const conversions = new LeadConversions({
    leads,
    repository,
    conversions: conversionRepository,
    accounts: opts.accounts ?? unreachableAccounts(),
    opportunities: opts.opportunities,
    written: (id) => void written.push(id),
    logger: createLogger('lead-test'),
    pause: async () => undefined,
  });
  return {
    leads,
    imports: new LeadImport(deps),
    settings: new LeadSettings(settingsRepository),
    conversions,
    activity: new LeadActivity(repository),
    repository,
    keys,
    settingsRepository,
    conversionRepository,
    definitions,
    written,
    handed,
  };
}

function unreachableAccounts(): AccountPort {
  const fail = async (): Promise<never> => {
    throw new Error('the account service is not part of this test');
  };
  return {
    createOrLinkAccount: fail,
    resolveAccount: fail,
    createContact: fail,
    discardAccount: fail,
    discardContact: fail,
  };
}
