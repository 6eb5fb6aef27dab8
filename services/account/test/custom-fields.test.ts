import { CustomFields, MemoryDefinitionRepository } from '@crm/custom-fields';
import { type Actor, ValidationError } from '@crm/kit';
import { account as pb } from '@crm/proto';
import type { RawAccountInput } from '../src/domain/account';
import type { ContactInput } from '../src/domain/contact';
import { accountGrpc } from '../src/grpc/account.grpc';
import { toProtoAccount, toProtoContact } from '../src/grpc/account.mapper';
import {
  customFilter,
  validateNewAccount,
  validateNewContact,
} from '../src/application/account-custom-fields';
import type { AccountDoc, ContactDoc } from '../src/store/account.model';
import { newAccount, newContact } from './support/inputs';

const admin: Actor = { userId: 'u-admin', username: 'admin', roles: ['crm-admin'], teams: [] };

const account = (over: Partial<RawAccountInput> = {}) => newAccount('Sinopec', over);

const contact = (over: Partial<ContactInput> = {}) => newContact('Li', { firstName: 'Wei', ...over });

function violations(f: () => unknown): { field: string; description: string }[] {
  try {
    f();
  } catch (err) {
    if (err instanceof ValidationError) return err.violations;
    throw err;
  }
  throw new Error('expected a ValidationError');
}

async function noFields(): Promise<CustomFields> {
  const cf = new CustomFields(new MemoryDefinitionRepository(), ['account', 'contact']);
  await cf.load();
  return cf;
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

describe('custom fields of accounts and contacts', () => {
  it('without definitions every value is refused as unknown', async () => {
    const none = await (await noFields()).fields('account');
    expect(violations(() => validateNewAccount(none, account({ customFields: { x: 1 } })))).toEqual([
      { field: 'customFields.x', description: 'is not a custom field of account' },
    ]);
  });

  it('validates a new account: a valid value is stored, a bad one names customFields.<key>', async () => {
    const fields = await (await defineFields()).fields('account');
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
    const cf = await defineFields();
    const accountFields = await cf.fields('account');
    const bad = violations(() =>
      validateNewAccount(accountFields, account({ name: '', customFields: { erp_id: 1 } })),
    );
    expect(bad.map((v) => v.field).sort()).toEqual(['customFields.erp_id', 'name']);
    const contactFields = await cf.fields('contact');
    const c = violations(() =>
      validateNewContact(contactFields, contact({ lastName: '', customFields: { language: 'fr' } })),
    );
    expect(c.map((v) => v.field).sort()).toEqual(['customFields.language', 'lastName']);
  });

  it('a contact enum field accepts its options only', async () => {
    const fields = await (await defineFields()).fields('contact');
    expect(validateNewContact(fields, contact({ customFields: { language: 'zh' } })).customFields).toEqual({
      language: 'zh',
    });
    expect(
      violations(() => validateNewContact(fields, contact({ customFields: { language: 'fr' } }))),
    ).toEqual([{ field: 'customFields.language', description: 'must be one of: en, zh' }]);
  });

  it('builds list filters per entity and refuses unknown or archived keys', async () => {
    const cf = await defineFields();
    expect(await customFilter(cf, 'account', undefined)).toBeUndefined();
    expect(await customFilter(cf, 'account', {})).toBeUndefined();
    expect(await customFilter(cf, 'account', { erp_id: 'ERP-0001' })).toEqual({
      'customFields.erp_id': 'ERP-0001',
    });
    expect(await customFilter(cf, 'contact', { language: 'en' })).toEqual({ 'customFields.language': 'en' });
    await expect(customFilter(cf, 'account', { old_code: 'x' })).rejects.toBeInstanceOf(ValidationError);
    await expect(customFilter(cf, 'contact', { erp_id: 'ERP-0001' })).rejects.toBeInstanceOf(ValidationError);
  });

  it('the mapper hides archived fields on read (the values stay stored)', async () => {
    const cf = await defineFields();
    const shown = cf.visibleNow.bind(cf);
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
    expect(toProtoAccount(doc, shown).customFields).toEqual({ erp_id: 'ERP-0001' });
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
    expect(toProtoContact(c, '', shown).customFields).toEqual({ language: 'en' });
  });

  it('passes custom_filters of both lists to the stores', async () => {
    const accounts = { list: jest.fn(async () => ({ accounts: [], nextCursor: '' })) };
    const contacts = {
      list: jest.fn(async () => ({ contacts: [], account: { primaryContactId: '' }, nextCursor: '' })),
    };
    const impl = accountGrpc({ accounts, contacts, customFields: await noFields() } as never);
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
