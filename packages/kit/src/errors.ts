/**
 * Domain errors: what went wrong in the words of the domain. The gRPC layer maps each kind to one status
 * (grpc-errors.ts), so domain code never imports a transport.
 */
export interface FieldViolation {
  field: string;
  description: string;
}

export abstract class DomainError extends Error {
  abstract readonly kind:
    'invalid' | 'not-found' | 'conflict' | 'duplicate' | 'version-mismatch' | 'forbidden' | 'unavailable';
}

export class ValidationError extends DomainError {
  readonly kind = 'invalid' as const;
  constructor(readonly violations: FieldViolation[]) {
    super(violations.map((v) => `${v.field}: ${v.description}`).join('; ') || 'invalid input');
  }
}

export class NotFoundError extends DomainError {
  readonly kind = 'not-found' as const;
  constructor(what: string, id: string) {
    super(`${what} ${id} not found`);
  }
}

/** The request is well-formed but the record's state does not allow it (e.g. an illegal transition). */
export class ConflictError extends DomainError {
  readonly kind = 'conflict' as const;
}

export class DuplicateError extends DomainError {
  readonly kind = 'duplicate' as const;
  constructor(
    message: string,
    readonly reason: string,
    readonly metadata: Record<string, string>,
  ) {
    super(message);
  }
}

export class VersionMismatchError extends DomainError {
  readonly kind = 'version-mismatch' as const;
  constructor(
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`expected version ${expected} but the record is at version ${actual}`);
  }
}

export class ForbiddenError extends DomainError {
  readonly kind = 'forbidden' as const;
}

/** Something this needs is away for now; the same request may succeed later. */
export class UnavailableError extends DomainError {
  readonly kind = 'unavailable' as const;
}

/** Collects field problems and throws them together, so a caller fixes everything in one round. */
export class Violations {
  private readonly list: FieldViolation[] = [];
  add(field: string, description: string): this {
    this.list.push({ field, description });
    return this;
  }
  get items(): readonly FieldViolation[] {
    return this.list;
  }
  throwIfAny(): void {
    if (this.list.length > 0) throw new ValidationError([...this.list]);
  }
}
