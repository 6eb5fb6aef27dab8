import { ConflictError, ValidationError } from '@crm/kit';
import {
  ExitCriteriaNotMetError,
  forecastChanges,
  moveStage,
  normaliseOpportunityFields,
  type OpportunityFields,
} from '../src/domain/opportunity';
import { DEFAULT_PIPELINE } from '../src/domain/pipeline';

const fields = (over: Partial<OpportunityFields> = {}): OpportunityFields => ({
  name: 'ACME ERP rollout',
  accountId: 'acc-1',
  primaryContactId: '',
  decisionMakerContactId: '',
  amountMinor: 12_000_000,
  currency: 'EUR',
  expectedCloseDate: '2027-03-31',
  nextStep: '',
  ...over,
});
const day = (d: string) => new Date(`${d}T09:00:00Z`);
const deal = (stageKey: string, over: Partial<OpportunityFields> = {}) => ({
  ...fields(over),
  stageKey,
  stageEnteredAt: day('2026-11-01'),
});

describe('opportunity fields', () => {
  it('keeps money as whole minor units with an upper-case currency', () => {
    expect(normaliseOpportunityFields(fields({ currency: ' cny ' }))).toMatchObject({
      amountMinor: 12_000_000,
      currency: 'CNY',
    });
  });

  it('refuses a fractional or negative amount, an unknown currency and an impossible date', () => {
    for (const [over, field] of [
      [{ amountMinor: 10.5 }, 'amountMinor'],
      [{ amountMinor: -1 }, 'amountMinor'],
      [{ currency: 'EURO' }, 'currency'],
      [{ expectedCloseDate: '2027-02-30' }, 'expectedCloseDate'],
      [{ expectedCloseDate: '0000-00-00' }, 'expectedCloseDate'],
      [{ name: ' ' }, 'name'],
      [{ accountId: '' }, 'accountId'],
    ] as const) {
      expect(() => normaliseOpportunityFields(fields(over))).toThrow(
        expect.objectContaining({ violations: [expect.objectContaining({ field })] }),
      );
    }
  });
});

describe('stage moves', () => {
  it('records from, to, who, when and whole days in the stage left', () => {
    const move = moveStage(
      deal('qualification'),
      DEFAULT_PIPELINE,
      'needs-analysis',
      'u-rep1',
      day('2026-11-11'),
    );
    expect(move).toEqual({
      fromStage: 'qualification',
      toStage: 'needs-analysis',
      movedBy: 'u-rep1',
      movedAt: day('2026-11-11'),
      daysInStage: 10,
    });
  });

  it('will not leave needs-analysis without a decision-maker, and names the field', () => {
    const attempt = () =>
      moveStage(deal('needs-analysis'), DEFAULT_PIPELINE, 'solution', 'u', day('2026-11-02'));
    expect(attempt).toThrow(ExitCriteriaNotMetError);
    expect(attempt).toThrow(/decisionMakerContactId/);
    expect(attempt).toThrow(
      expect.objectContaining({ violations: [expect.objectContaining({ field: 'decisionMakerContactId' })] }),
    );
    const ready = deal('needs-analysis', { decisionMakerContactId: 'c-ceo' });
    expect(moveStage(ready, DEFAULT_PIPELINE, 'solution', 'u', day('2026-11-02')).toStage).toBe('solution');
  });

  it('allows moving backward (criteria hold only the stage being left)', () => {
    const move = moveStage(deal('proposal'), DEFAULT_PIPELINE, 'qualification', 'u', day('2026-11-01'));
    expect(move).toMatchObject({ fromStage: 'proposal', toStage: 'qualification', daysInStage: 0 });
  });

  it('answers an unknown stage as bad input naming stageKey', () => {
    expect(() => moveStage(deal('qualification'), DEFAULT_PIPELINE, 'hot', 'u', day('2026-11-02'))).toThrow(
      expect.objectContaining({ violations: [expect.objectContaining({ field: 'stageKey' })] }),
    );
    expect(() => moveStage(deal('qualification'), DEFAULT_PIPELINE, 'hot', 'u', day('2026-11-02'))).toThrow(
      ValidationError,
    );
  });

  it('leaves closing and reopening to their own operations', () => {
    const now = day('2026-11-02');
    expect(() => moveStage(deal('negotiation'), DEFAULT_PIPELINE, 'closed-won', 'u', now)).toThrow(
      ConflictError,
    );
    expect(() => moveStage(deal('closed-lost'), DEFAULT_PIPELINE, 'proposal', 'u', now)).toThrow(
      ConflictError,
    );
    expect(() => moveStage(deal('proposal'), DEFAULT_PIPELINE, 'proposal', 'u', now)).toThrow(ConflictError);
  });
});

describe('forecast changes', () => {
  it('records a changed amount or currency and a moved close date, nothing else', () => {
    const at = day('2026-11-05');
    const before = fields();
    expect(forecastChanges(before, fields({ nextStep: 'call CFO' }), 'u', at)).toEqual([]);
    expect(
      forecastChanges(before, fields({ amountMinor: 9_000_000, expectedCloseDate: '' }), 'u', at),
    ).toEqual([
      { field: 'amount', before: '12000000 EUR', after: '9000000 EUR', changedBy: 'u', changedAt: at },
      { field: 'expectedCloseDate', before: '2027-03-31', after: '', changedBy: 'u', changedAt: at },
    ]);
    expect(forecastChanges(before, fields({ currency: 'USD' }), 'u', at)[0]).toMatchObject({
      after: '12000000 USD',
    });
  });
});
