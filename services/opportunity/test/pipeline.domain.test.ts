import { ValidationError } from '@crm/kit';
import { DEFAULT_PIPELINE, normalisePipelineInput, type RawStage } from '../src/domain/pipeline';

const raw = (stages: RawStage[], name = 'Renewal') => ({ name, stages });
const open = (key: string, over: Partial<RawStage> = {}): RawStage => ({
  key,
  name: key,
  winProbability: 50,
  forecastCategory: 'pipeline',
  exitCriteria: [],
  outcome: '',
  ...over,
});
const won: RawStage = { ...open('won'), winProbability: 100, forecastCategory: 'closed', outcome: 'won' };
const lost: RawStage = { ...open('lost'), winProbability: 0, forecastCategory: 'closed', outcome: 'lost' };

/** The fields named by the ValidationError `f` throws. */
function violated(f: () => unknown): string[] {
  try {
    f();
  } catch (err) {
    if (err instanceof ValidationError) return err.violations.map((v) => v.field);
    throw err;
  }
  throw new Error('expected a ValidationError');
}

describe('pipelines', () => {
  it('ships the B2B pipeline, where leaving needs-analysis needs a decision-maker', () => {
    const p = normalisePipelineInput(DEFAULT_PIPELINE as never);
    expect(p.stages.map((s) => s.key)).toEqual([
      'qualification',
      'needs-analysis',
      'solution',
      'proposal',
      'negotiation',
      'closed-won',
      'closed-lost',
    ]);
    expect(p.stages[1]!.exitCriteria).toEqual(['decisionMakerContactId']);
  });

  it('accepts a small pipeline and trims it', () => {
    const p = normalisePipelineInput(
      raw([open(' Discovery ', { name: '  First   call ' }), won, lost], ' Renewal '),
    );
    expect(p.name).toBe('Renewal');
    expect(p.stages[0]).toMatchObject({ key: 'discovery', name: 'First call' });
  });

  it('names every broken stage field in one answer', () => {
    const fields = violated(() =>
      normalisePipelineInput(
        raw([
          open('Not A Key'),
          open('a', { name: '', winProbability: 101, forecastCategory: 'hot', exitCriteria: ['budget'] }),
          open('a'),
          won,
          lost,
        ]),
      ),
    );
    expect(fields).toEqual(
      expect.arrayContaining([
        'stages[0].key',
        'stages[1].name',
        'stages[1].winProbability',
        'stages[1].forecastCategory',
        'stages[1].exitCriteria',
        'stages[2].key',
      ]),
    );
  });

  it('needs exactly one won and at least one lost stage, after the open ones', () => {
    expect(violated(() => normalisePipelineInput(raw([open('a'), lost])))).toContain('stages');
    expect(violated(() => normalisePipelineInput(raw([open('a'), won])))).toContain('stages');
    expect(violated(() => normalisePipelineInput(raw([open('a'), won, open('b'), lost])))).toContain(
      'stages',
    );
    expect(violated(() => normalisePipelineInput(raw([won, open('a'), lost])))).toContain('stages');
  });

  it('keeps closed stages honest: won is 100%, lost is 0%, outcomes only on closed stages', () => {
    expect(
      violated(() => normalisePipelineInput(raw([open('a'), { ...won, winProbability: 90 }, lost]))),
    ).toEqual(['stages[1].winProbability']);
    expect(violated(() => normalisePipelineInput(raw([open('a', { outcome: 'won' }), won, lost])))).toContain(
      'stages[0].outcome',
    );
    expect(violated(() => normalisePipelineInput(raw([open('a'), { ...won, outcome: '' }, lost])))).toContain(
      'stages[1].outcome',
    );
  });
});
