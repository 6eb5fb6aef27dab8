import type { RawAccountInput } from '../../src/domain/account';
import type { ActivityInput } from '../../src/domain/activity';
import type { ContactInput } from '../../src/domain/contact';

/** An account as a client sends it: only the name, unless `over` sets more. */
export const newAccount = (
  name: string,
  over: Partial<RawAccountInput & { ownerId: string; teamId: string }> = {},
): RawAccountInput & { ownerId: string; teamId: string } => ({
  name,
  website: '',
  industry: '',
  region: '',
  parentAccountId: '',
  lifecycle: 'prospect',
  customFields: {},
  ownerId: '',
  teamId: '',
  ...over,
});

/** A contact as a client sends it: only the last name, unless `over` sets more. */
export const newContact = (lastName: string, over: Partial<ContactInput> = {}): ContactInput => ({
  firstName: '',
  lastName,
  email: '',
  phone: '',
  title: '',
  department: '',
  reportsToContactId: '',
  buyingRole: '',
  customFields: {},
  ...over,
});

/** A logged call on an account, unless `over` says otherwise. */
export const newActivity = (over: Partial<ActivityInput> = {}): ActivityInput => ({
  kind: 'call',
  relatedTo: { type: 'account', id: 'acc-1' },
  subject: 'Call',
  description: '',
  priority: '',
  assigneeId: '',
  participantContactIds: [],
  outcome: '',
  nextStep: '',
  ...over,
});
