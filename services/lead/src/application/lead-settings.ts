import { allows, checkVersion, ForbiddenError, mustAllow } from '@crm/kit';
import { type AssignmentRule, validateAssignmentRules } from '../domain/assignment';
import { type ScoringRule, validateScoringRules } from '../domain/scoring';
import type { SettingsDoc } from '../store/lead.model';
import { noAssignment, noScoring } from './lead-routing';
import type { Caller, SettingsId, SettingsRepository } from './ports';

const mayRead = (c: Caller) =>
  mustAllow(c.actor.roles, 'lead.rules.read', 'only a sales manager or an admin reads the lead rules');

/** The administrator's settings of leads: assignment rules and the scoring model. */
export class LeadSettings {
  constructor(private readonly settings: SettingsRepository) {}

  async assignmentRules(c: Caller): Promise<SettingsDoc> {
    mayRead(c);
    return (await this.settings.get('assignment')) ?? noAssignment();
  }

  async putAssignmentRules(
    rules: AssignmentRule[],
    defaultQueue: string,
    expectedVersion: number,
    c: Caller,
  ): Promise<SettingsDoc> {
    if (!allows(c.actor.roles, 'settings.write'))
      throw new ForbiddenError('only an admin changes assignment rules');
    validateAssignmentRules(rules, defaultQueue);
    return this.put('assignment', { rules, defaultQueue }, expectedVersion, c);
  }

  async scoring(c: Caller): Promise<SettingsDoc> {
    mayRead(c);
    return (await this.settings.get('scoring')) ?? noScoring();
  }

  async putScoring(rules: ScoringRule[], expectedVersion: number, c: Caller): Promise<SettingsDoc> {
    if (!allows(c.actor.roles, 'settings.write'))
      throw new ForbiddenError('only an admin changes the scoring model');
    validateScoringRules(rules);
    return this.put('scoring', { rules }, expectedVersion, c);
  }

  private async put(id: SettingsId, set: Partial<SettingsDoc>, expectedVersion: number, c: Caller) {
    const version = (await this.settings.get(id))?.version ?? 0;
    checkVersion(expectedVersion, version);
    return this.settings.put(id, version, set, c.actor);
  }
}
