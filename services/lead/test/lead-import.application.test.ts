import { ForbiddenError, ValidationError } from '@crm/kit';
import { as, leadInput, leadUseCases, users } from './support/lead-use-cases';

describe('LeadImport', () => {
  it('reports every row: created, duplicate of a stored lead or of an earlier row, rejected', async () => {
    const { leads, imports, repository } = leadUseCases();
    const existing = await leads.create(
      leadInput({ email: 'old@x.example.com', company: '' }),
      false,
      as(users.rep1),
    );
    const rows = [
      leadInput({ email: 'new@x.example.com', lastName: 'New', company: '' }),
      leadInput({ email: 'old@x.example.com', lastName: 'Old', company: '' }),
      leadInput({ email: 'bad', lastName: '' }),
      leadInput({ email: 'NEW@x.example.com', lastName: 'Again', company: '' }),
    ];
    const report = await imports.import(rows, false, as(users.manager));
    expect(report.map((r) => r.outcome)).toEqual(['created', 'duplicate', 'rejected', 'duplicate']);
    expect(report[1]!.existingLeadId).toBe(existing._id);
    expect(report[3]!.existingLeadId).toBe(report[0]!.leadId);
    expect(report[2]!.violations.map((v) => v.field)).toEqual(['lastName', 'email']);
    expect(report.map((r) => r.row)).toEqual([1, 2, 3, 4]);
    expect(repository.docs.size).toBe(2);
  });

  it('names a stored duplicate only to an importer who may see it', async () => {
    const { leads, imports } = leadUseCases();
    await leads.create(leadInput({ email: 'east@x.example.com', company: '' }), false, as(users.rep1));
    const report = await imports.import(
      [leadInput({ email: 'east@x.example.com', lastName: 'Again', company: '' })],
      false,
      as(users.westManager),
    );
    expect(report[0]).toMatchObject({ outcome: 'duplicate' });
    expect(report[0]!.existingLeadId).toBeUndefined();
  });

  it('keeps duplicates when a manager asks for it', async () => {
    const { imports, repository } = leadUseCases();
    const report = await imports.import([leadInput(), leadInput()], true, as(users.manager));
    expect(report.map((r) => r.outcome)).toEqual(['created', 'created']);
    expect(repository.docs.size).toBe(2);
  });

  it('is for managers, admins and integrators; duplicates for managers and admins only', async () => {
    const { imports } = leadUseCases();
    await expect(imports.import([leadInput()], false, as(users.rep1))).rejects.toBeInstanceOf(ForbiddenError);
    await expect(imports.import([leadInput()], true, as(users.integrator))).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await expect(imports.import([leadInput()], false, as(users.integrator))).resolves.toHaveLength(1);
  });

  it('refuses more than 10000 rows', async () => {
    const { imports } = leadUseCases();
    const rows = Array.from({ length: 10_001 }, () => leadInput());
    await expect(imports.import(rows, false, as(users.admin))).rejects.toBeInstanceOf(ValidationError);
  });

  it('gives back the keys of rows that were not stored when storing fails', async () => {
    const { imports, repository, keys } = leadUseCases();
    jest.spyOn(repository, 'insertMany').mockRejectedValueOnce(new Error('database away'));
    await expect(imports.import([leadInput()], false, as(users.admin))).rejects.toThrow('database away');
    expect(keys.holders.size).toBe(0);
    await expect(imports.import([leadInput()], false, as(users.admin))).resolves.toMatchObject([
      { outcome: 'created' },
    ]);
  });
});
