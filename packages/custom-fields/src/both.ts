import { type FieldViolation, ValidationError } from '@crm/kit';

/**
 * Runs two validations (typically the record's own fields and its custom field values) and throws the
 * violations of both in one ValidationError, so the caller learns every problem in one round.
 */
export function both<A, B>(a: () => A, b: () => B): [A, B] {
  const violations: FieldViolation[] = [];
  const run = <T>(f: () => T): T | undefined => {
    try {
      return f();
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      violations.push(...err.violations);
      return undefined;
    }
  };
  const ra = run(a);
  const rb = run(b);
  if (violations.length) throw new ValidationError(violations);
  return [ra as A, rb as B];
}
