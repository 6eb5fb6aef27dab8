import { collapseSpace, Violations } from '@crm/kit/domain';

export const FORECAST_CATEGORIES = ['pipeline', 'best-case', 'commit', 'closed'] as const;
export type ForecastCategory = (typeof FORECAST_CATEGORIES)[number];

/** How a closed stage ends the deal; open stages have none. */
export type StageOutcome = '' | 'won' | 'lost';

/**
 * The opportunity fields a stage's exit criteria may require, named as in the REST API. A field is
 * filled when it is a non-empty string or a positive amount (see missingExitCriteria).
 */
export const EXIT_CRITERIA_FIELDS = [
  'primaryContactId',
  'decisionMakerContactId',
  'amountMinor',
  'expectedCloseDate',
  'nextStep',
] as const;
export type ExitCriterion = (typeof EXIT_CRITERIA_FIELDS)[number];

export interface Stage {
  key: string;
  name: string;
  /** Percent, 0..100. */
  winProbability: number;
  forecastCategory: ForecastCategory;
  /** Fields that must be filled before a deal leaves this stage. */
  exitCriteria: ExitCriterion[];
  outcome: StageOutcome;
}

export interface PipelineInput {
  name: string;
  stages: Stage[];
}

/** What an admin sends: anything may be wrong until normalisePipelineInput accepted it. */
export interface RawStage {
  key: string;
  name: string;
  winProbability: number;
  forecastCategory: string;
  exitCriteria: string[];
  outcome: string;
}

export const DEFAULT_PIPELINE_ID = 'default';
const KEY = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const MAX_NAME = 200;
const MAX_KEY = 40;
const MAX_STAGES = 30;

const stage = (
  key: string,
  name: string,
  winProbability: number,
  forecastCategory: ForecastCategory,
  exitCriteria: ExitCriterion[] = [],
  outcome: StageOutcome = '',
): Stage => ({ key, name, winProbability, forecastCategory, exitCriteria, outcome });

/** The B2B pipeline every installation starts with (issue 10); an admin may change it like any other. */
export const DEFAULT_PIPELINE: PipelineInput = {
  name: 'New business',
  stages: [
    stage('qualification', 'Qualification', 10, 'pipeline'),
    // A committee sale: nobody writes a proposal without knowing who decides.
    stage('needs-analysis', 'Needs analysis', 20, 'pipeline', ['decisionMakerContactId']),
    stage('solution', 'Solution / presales', 40, 'best-case'),
    stage('proposal', 'Proposal', 60, 'best-case'),
    stage('negotiation', 'Negotiation', 80, 'commit'),
    stage('closed-won', 'Closed won', 100, 'closed', [], 'won'),
    stage('closed-lost', 'Closed lost', 0, 'closed', [], 'lost'),
  ],
};

/**
 * Trims and validates a pipeline as an admin saves it; throws ValidationError naming every problem
 * (`stages[2].key`, ...). Open stages come first, then the closed ones: exactly one won (100%) and at
 * least one lost (0%).
 */
export function normalisePipelineInput(raw: { name: string; stages: RawStage[] }): PipelineInput {
  const v = new Violations();
  const name = collapseSpace(raw.name ?? '');
  if (!name) v.add('name', 'is required');
  else if (name.length > MAX_NAME) v.add('name', `must be at most ${MAX_NAME} characters`);
  const rawStages = raw.stages ?? [];
  if (rawStages.length < 2) v.add('stages', 'needs at least one open and one closed stage');
  if (rawStages.length > MAX_STAGES) v.add('stages', `must be at most ${MAX_STAGES}`);

  const seen = new Set<string>();
  const stages = rawStages.map((s, i): Stage => {
    const at = `stages[${i}]`;
    const key = collapseSpace(s.key ?? '').toLowerCase();
    if (!KEY.test(key) || key.length > MAX_KEY)
      v.add(`${at}.key`, `must be lower-case kebab-case of at most ${MAX_KEY} characters`);
    else if (seen.has(key)) v.add(`${at}.key`, `"${key}" is used by another stage`);
    seen.add(key);
    const stageName = collapseSpace(s.name ?? '');
    if (!stageName) v.add(`${at}.name`, 'is required');
    else if (stageName.length > MAX_NAME) v.add(`${at}.name`, `must be at most ${MAX_NAME} characters`);
    const p = s.winProbability;
    if (!Number.isInteger(p) || p < 0 || p > 100)
      v.add(`${at}.winProbability`, 'must be a whole percent 0..100');
    const category = s.forecastCategory as ForecastCategory;
    if (!FORECAST_CATEGORIES.includes(category))
      v.add(`${at}.forecastCategory`, `must be one of ${FORECAST_CATEGORIES.join(', ')}`);
    const outcome = (s.outcome ?? '') as StageOutcome;
    if (category === 'closed' && outcome !== 'won' && outcome !== 'lost')
      v.add(`${at}.outcome`, 'must be won or lost for a closed stage');
    if (category !== 'closed' && outcome) v.add(`${at}.outcome`, 'is only for a closed stage');
    if (outcome === 'won' && p !== 100) v.add(`${at}.winProbability`, 'must be 100 for a won stage');
    if (outcome === 'lost' && p !== 0) v.add(`${at}.winProbability`, 'must be 0 for a lost stage');
    const criteria = [...new Set(s.exitCriteria ?? [])];
    for (const c of criteria)
      if (!(EXIT_CRITERIA_FIELDS as readonly string[]).includes(c))
        v.add(`${at}.exitCriteria`, `"${c}" is not one of ${EXIT_CRITERIA_FIELDS.join(', ')}`);
    if (category === 'closed' && criteria.length) v.add(`${at}.exitCriteria`, 'a closed stage is never left');
    return {
      key,
      name: stageName,
      winProbability: p,
      forecastCategory: category,
      exitCriteria: criteria as ExitCriterion[],
      outcome,
    };
  });

  if (stages.length >= 2) {
    const firstClosed = stages.findIndex((s) => s.forecastCategory === 'closed');
    if (firstClosed === 0) v.add('stages', 'must start with an open stage');
    if (firstClosed >= 0 && stages.slice(firstClosed).some((s) => s.forecastCategory !== 'closed'))
      v.add('stages', 'closed stages come after every open stage');
    if (stages.filter((s) => s.outcome === 'won').length !== 1)
      v.add('stages', 'needs exactly one won stage');
    if (!stages.some((s) => s.outcome === 'lost')) v.add('stages', 'needs at least one lost stage');
  }
  v.throwIfAny();
  return { name, stages };
}

export const stageOf = (p: PipelineInput, key: string): Stage | undefined =>
  p.stages.find((s) => s.key === key);

/** The stage new deals start in: the first one. */
export const firstStage = (p: PipelineInput): Stage => p.stages[0]!;
