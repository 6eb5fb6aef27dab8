import { ConflictError, ValidationError } from '@crm/kit';
import {
  assertEditable,
  assertPlannable,
  assertReceivable,
  collections,
  isOverdue,
  matchesFilter,
  validatePayment,
  validateReceipt,
} from '../src/domain/payment';

const now = new Date('2026-06-15T23:30:00Z');

describe('payment milestones', () => {
  it('are normalised and need an amount above 0 and a real due date', () => {
    expect(
      validatePayment({ amountMinor: 1, dueDate: ' 2026-06-30 ', invoiceNumber: '  INV  7 ', note: ' x ' }),
    ).toEqual({
      amountMinor: 1,
      dueDate: '2026-06-30',
      invoiceNumber: 'INV 7',
      note: 'x',
    });
    expect(() =>
      validatePayment({ amountMinor: 1.5, dueDate: '2026-06-31', invoiceNumber: '', note: '' }),
    ).toThrow(ValidationError);
  });

  it('are overdue from the day after the due date (UTC) while not received', () => {
    expect(isOverdue({ status: 'planned', dueDate: '2026-06-15' }, now)).toBe(false);
    expect(isOverdue({ status: 'planned', dueDate: '2026-06-14' }, now)).toBe(true);
    expect(isOverdue({ status: 'pending-approval', dueDate: '2026-06-14' }, now)).toBe(true);
    expect(isOverdue({ status: 'received', dueDate: '2026-06-14' }, now)).toBe(false);
    expect(matchesFilter({ status: 'planned', dueDate: '2026-06-15' }, 'due', now)).toBe(true);
    expect(matchesFilter({ status: 'received', dueDate: '2026-06-15' }, 'due', now)).toBe(false);
  });

  it('are planned on open and won deals and received on won deals only, while planned', () => {
    expect(() => assertPlannable('open')).not.toThrow();
    expect(() => assertPlannable('won')).not.toThrow();
    expect(() => assertPlannable('lost')).toThrow(ConflictError);
    const planned = { status: 'planned' as const, removedAt: null };
    expect(() => assertReceivable(planned, 'open')).toThrow(ConflictError);
    expect(() => assertReceivable(planned, 'won')).not.toThrow();
    expect(() => assertEditable({ status: 'pending-approval', removedAt: null })).toThrow(ConflictError);
    expect(() => assertEditable({ status: 'received', removedAt: null })).toThrow(ConflictError);
  });

  it('take a receipt dated today or earlier', () => {
    expect(validateReceipt({ receivedDate: '2026-06-15', amountMinor: 5 }, now).receivedDate).toBe(
      '2026-06-15',
    );
    expect(() => validateReceipt({ receivedDate: '2026-06-16', amountMinor: 5 }, now)).toThrow(
      ValidationError,
    );
  });

  it('sum collected, outstanding and overdue per currency in integers', () => {
    const p = (
      currency: string,
      status: 'planned' | 'received',
      dueDate: string,
      amountMinor: number,
      received = 0,
    ) => ({
      currency,
      status,
      dueDate,
      amountMinor,
      receivedAmountMinor: received,
    });
    expect(
      collections(
        [
          p('USD', 'planned', '2026-07-01', 5),
          p('CNY', 'received', '2026-06-01', 100, 99),
          p('CNY', 'planned', '2026-06-01', 40),
          p('CNY', 'planned', '2026-06-20', 2),
        ],
        now,
      ),
    ).toEqual([
      { currency: 'CNY', collectedMinor: 99, outstandingMinor: 42, overdueMinor: 40 },
      { currency: 'USD', collectedMinor: 0, outstandingMinor: 5, overdueMinor: 0 },
    ]);
  });
});
