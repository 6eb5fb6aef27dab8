import { ForbiddenError, ValidationError, VersionMismatchError } from '@crm/kit';
import type { AssignmentRule } from '../src/domain/assignment';
import { as, leadUseCases, users } from './support/lead-use-cases';

const rule: AssignmentRule = {
  id: 'r1',
  name: 'East',
  match: { regions: ['east'], industries: [], sources: [], contactLevels: [] },
  teamId: 'east',
  members: ['rep1'],
};

describe('LeadSettings', () => {
  it('has empty defaults before an administrator sets anything', async () => {
    const { settings } = leadUseCases();
    await expect(settings.assignmentRules(as(users.manager))).resolves.toMatchObject({
      version: 0,
      rules: [],
      defaultQueue: 'unassigned',
    });
    await expect(settings.scoring(as(users.admin))).resolves.toMatchObject({ version: 0, rules: [] });
  });

  it('shows the rules to sales managers and admins only, as the gateway does', async () => {
    const { settings } = leadUseCases();
    for (const who of [users.rep1, users.integrator, users.agent]) {
      await expect(settings.assignmentRules(as(who))).rejects.toBeInstanceOf(ForbiddenError);
      await expect(settings.scoring(as(who))).rejects.toBeInstanceOf(ForbiddenError);
    }
  });

  it('lets only an admin change assignment rules and the scoring model', async () => {
    const { settings } = leadUseCases();
    await expect(settings.putAssignmentRules([rule], 'inbox', 0, as(users.manager))).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await expect(settings.putScoring([], 0, as(users.manager))).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('validates the rules', async () => {
    const { settings } = leadUseCases();
    await expect(
      settings.putAssignmentRules([rule, { ...rule, members: [] }], 'inbox', 0, as(users.admin)),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(
      settings.putScoring(
        [{ id: 's', field: 'region', values: [], present: false, points: 5 }],
        0,
        as(users.admin),
      ),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  it('replaces the rules at the version the admin saw, and refuses a stale one (412)', async () => {
    const { settings } = leadUseCases();
    const first = await settings.putAssignmentRules([rule], 'inbox', 0, as(users.admin));
    expect(first).toMatchObject({ version: 1, defaultQueue: 'inbox', updatedBy: 'admin' });
    await expect(settings.putAssignmentRules([], 'inbox', 1, as(users.admin))).resolves.toMatchObject({
      version: 2,
    });
    await expect(settings.putAssignmentRules([rule], 'inbox', 1, as(users.admin))).rejects.toBeInstanceOf(
      VersionMismatchError,
    );
  });
});
