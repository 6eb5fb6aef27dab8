import { CustomFields, MemoryDefinitionRepository } from '@crm/custom-fields';
import { type Actor, ValidationError } from '@crm/kit';
import { account as pb } from '@crm/proto';
import type { RawAccountInput } from '../src/domain/account';
import type { ContactInput } from '../src/domain/contact';
import { accountGrpc } from '../src/grpc/account.grpc';
import { toProtoAccount, toProtoContact } from '../src/grpc/account.mapper';
import {
  customFilter,
  fieldSet,
  shownCustomFields,
  useAccountCustomFields,
  validateNewAccount,
  validateNewContact,
} from '../src/store/account-custom-fields';
import type { AccountDoc, ContactDoc } from '../src/store/account.model';

const admin: Actor = { userId: 'u-admin', username: 'admin', roles: ['crm-admin'], teams: [] };

const account = (over: Partial<RawAccountInput> = {}): RawAccountInput => ({
  name: 'Sinopec',
  website: '',
  industry: '',
  region: '',
  parentAccountId: '',
  lifecycle: 'prospect',
  customFields: {},
  ...over,
});

const contact = (over: Partial<ContactInput> = {}): ContactInput => ({
  firstName: 'Wei',
  lastName: 'Li',
  email: '',
  phone: '',
  title: '',
  department: '',
  reportsToContactId: '',
  buyingRole: '',
  customFields: {},
  ...over,
});

function violations(f: () => unknown): { field: string; description: string }[] {
  try {
    f();
  } catch (err) {
    if (err instanceof ValidationError) return err.violations;
    throw err;
  }
  throw new Error('expected a ValidationError');
}

async function defineFields(): Promise<CustomFields> {
  const cf = new CustomFields(new MemoryDefinitionRepository(), ['account', 'contact']);
  await cf.put(
    {
      entity: 'account',
      key: 'erp_id',
      label: 'ERP id',
      type: 'text',
      constraints: { pattern: '^ERP-\\d{4}$' },
    },
    {},
    admin,
  );
  await cf.put({ entity: 'account', key: 'old_code', label: 'Old code', type: 'text' }, {}, admin);
  await cf.put(
    {
      entity: 'contact',
      key: 'language',
      label: 'Language',
      type: 'enum',
      constraints: { options: ['en', 'zh'] },
    },
    {},
    admin,
  );
  await cf.archive('account', 'old_code', 0, admin);
  await cf.load();
  return cf;
}

afterEach(() => useAccountCustomFields(undefined));

describe('custom fields of accounts and contacts', () => {
  it('without definitions (unit tests of the stores) every value is refused as unknown', async () => {
    const none = await fieldSet('account');
    expect(violations(() => validateNewAccount(none, account({ customFields: { x: 1 } })))).toEqual([
      { field: 'customFields.x', description: 'is not a custom field of account' },
    ]);
    expect(shownCustomFields('account', { x: 1 })).toEqual({ x: 1 });
  });

  it('validates a new account: a valid value is stored, a bad one names customFields.<key>', async () => {
    useAccountCustomFields(await defineFields());
    const fields = await fieldSet('account');
    expect(
      validateNewAccount(fields, account({ customFields: { erp_id: 'ERP-0001' } })).customFields,
    ).toEqual({
      erp_id: 'ERP-0001',
    });
    expect(violations(() => validateNewAccount(fields, account({ customFields: { erp_id: 'X' } })))).toEqual([
      { field: 'customFields.erp_id', description: 'does not match the pattern ^ERP-\\d{4}$' },
    ]);
    // Keys that could act as operators or paths are simply not fields of the entity.
    for (const key of ['$where', 'a.b', 'old_code', 'language'])
      expect(
        violations(() => validateNewAccount(fields, account({ customFields: { [key]: 'x' } }))).map(
          (v) => v.field,
        ),
      ).toEqual([`customFields.${key}`]);
  });

  it('reports the record problems and the custom field problems in one round', async () => {
    useAccountCustomFields(await defineFields());
    const accountFields = await fieldSet('account');
    const bad = violations(() =>
      validateNewAccount(accountFields, account({ name: '', customFields: { erp_id: 1 } })),
    );
    expect(bad.map((v) => v.field).sort()).toEqual(['customFields.erp_id', 'name']);
    const contactFields = await fieldSet('contact');
    const c = violations(() =>
      validateNewContact(contactFields, contact({ lastName: '', customFields: { language: 'fr' } })),
    );
    expect(c.map((v) => v.field).sort()).toEqual(['customFields.language', 'lastName']);
  });

  it('a contact enum field accepts its options only', async () => {
    useAccountCustomFields(await defineFields());
    const fields = await fieldSet('contact');
    expect(validateNewContact(fields, contact({ customFields: { language: 'zh' } })).customFields).toEqual({
      language: 'zh',
    });
    expect(
      violations(() => validateNewContact(fields, contact({ customFields: { language: 'fr' } }))),
    ).toEqual([{ field: 'customFields.language', description: 'must be one of: en, zh' }]);
  });

  it('builds list filters per entity and refuses unknown or archived keys', async () => {
    useAccountCustomFields(await defineFields());
    expect(await customFilter('account', undefined)).toBeUndefined();
    expect(await customFilter('account', {})).toBeUndefined();
    expect(await customFilter('account', { erp_id: 'ERP-0001' })).toEqual({
      'customFields.erp_id': 'ERP-0001',
    });
    expect(await customFilter('contact', { language: 'en' })).toEqual({ 'customFields.language': 'en' });
    await expect(customFilter('account', { old_code: 'x' })).rejects.toBeInstanceOf(ValidationError);
    await expect(customFilter('contact', { erp_id: 'ERP-0001' })).rejects.toBeInstanceOf(ValidationError);
  });

  it('the mapper hides archived fields on read (the values stay stored)', async () => {
    useAccountCustomFields(await defineFields());
    const at = new Date('2026-01-01T00:00:00Z');
    const doc = {
      _id: 'A1',
      version: 1,
      name: 'Sinopec',
      lifecycle: 'prospect',
      customFields: { erp_id: 'ERP-0001', old_code: 'legacy' },
      createdAt: at,
      createdBy: 'u',
      updatedAt: at,
      updatedBy: 'u',
    } as unknown as AccountDoc;
    expect(toProtoAccount(doc).customFields).toEqual({ erp_id: 'ERP-0001' });
    expect(doc.customFields).toEqual({ erp_id: 'ERP-0001', old_code: 'legacy' });
    const c = {
      _id: 'C1',
      version: 1,
      accountId: 'A1',
      lastName: 'Li',
      customFields: { language: 'en', gone: 'x' },
      createdAt: at,
      createdBy: 'u',
      updatedAt: at,
      updatedBy: 'u',
    } as unknown as ContactDoc;
    expect(toProtoContact(c, '').customFields).toEqual({ language: 'en' });
  });

  it('passes custom_filters of both lists to the stores', async () => {
    const accounts = { list: jest.fn(async () => ({ accounts: [], nextCursor: '' })) };
    const contacts = {
      list: jest.fn(async () => ({ contacts: [], account: { primaryContactId: '' }, nextCursor: '' })),
    };
    const impl = accountGrpc({ accounts, contacts, activities: {} } as never);
    const ctx = { actor: admin, requestId: 'r1' } as never;
    await impl.listAccounts(
      pb.ListAccountsRequest.fromPartial({ customFilters: { erp_id: 'ERP-0001' } }),
      ctx,
    );
    expect(accounts.list.mock.calls[0]).toEqual([
      expect.objectContaining({ customFilters: { erp_id: 'ERP-0001' } }),
      { actor: admin, requestId: 'r1' },
    ]);
    await impl.listContacts(
      pb.ListContactsRequest.fromPartial({ accountId: 'A1', customFilters: { language: 'en' } }),
      ctx,
    );
    expect(contacts.list.mock.calls[0]).toEqual([
      'A1',
      50,
      '',
      { actor: admin, requestId: 'r1' },
      { language: 'en' },
    ]);
  });
});
