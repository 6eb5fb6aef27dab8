import { ServerError, Status } from 'nice-grpc';
import { BadRequest, ErrorInfo, RichServerError } from 'nice-grpc-error-details';
import { DomainError } from './errors';

/** One place that turns a domain error into a gRPC status (and rich details the gateway reads). */
export function toGrpcError(err: unknown): ServerError | undefined {
  if (!(err instanceof DomainError)) return undefined;
  const e = err as DomainError & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  switch (e.kind) {
    case 'invalid':
      return new RichServerError(Status.INVALID_ARGUMENT, e.message, [
        BadRequest.fromPartial({ fieldViolations: e.violations }),
      ]);
    case 'not-found':
      return new ServerError(Status.NOT_FOUND, e.message);
    case 'conflict':
      // A conflict that names fields to fill first (a stage's exit criteria) carries them, for a 422.
      return e.violations
        ? new RichServerError(Status.FAILED_PRECONDITION, e.message, [
            BadRequest.fromPartial({ fieldViolations: e.violations }),
          ])
        : new ServerError(Status.FAILED_PRECONDITION, e.message);
    case 'duplicate':
      return new RichServerError(Status.ALREADY_EXISTS, e.message, [
        ErrorInfo.fromPartial({ reason: e.reason, domain: 'crm', metadata: e.metadata }),
      ]);
    case 'version-mismatch':
      return new RichServerError(Status.ABORTED, e.message, [
        ErrorInfo.fromPartial({
          reason: 'VERSION_MISMATCH',
          domain: 'crm',
          metadata: { expected: String(e.expected), actual: String(e.actual) },
        }),
      ]);
    case 'forbidden':
      return new ServerError(Status.PERMISSION_DENIED, e.message);
    case 'unavailable':
      return new ServerError(Status.UNAVAILABLE, e.message);
  }
}
