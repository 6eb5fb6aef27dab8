import { ClientError, Status } from 'nice-grpc';
import { RichClientError, type BadRequest, type ErrorInfo } from 'nice-grpc-error-details';
import type { Logger } from 'pino';
import { HttpProblem, type FieldError } from './problem';

/**
 * snake_case proto field path -> camelCase REST field path ("rows.company_size" -> "rows.companySize").
 * Custom field keys are snake_case names of their own and stay as they are ("customFields.po_number").
 */
export function camelPath(field: string): string {
  const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
  const m = /^(.*?(?:^|\.)(?:customFields|custom_fields)\.)(.*)$/.exec(field);
  return m ? camel(m[1]!) + m[2]! : camel(field);
}

function details(err: ClientError): unknown[] {
  return err instanceof RichClientError ? err.extra : [];
}

function errorInfo(err: ClientError): ErrorInfo | undefined {
  return details(err).find((d): d is ErrorInfo => (d as { $type?: string }).$type === 'google.rpc.ErrorInfo');
}

function fieldViolations(err: ClientError): FieldError[] {
  const out: FieldError[] = [];
  for (const d of details(err)) {
    if ((d as { $type?: string }).$type === 'google.rpc.BadRequest') {
      for (const v of (d as BadRequest).fieldViolations)
        out.push({ field: camelPath(v.field), message: v.description });
    }
  }
  return out;
}

/** The one place that maps gRPC errors from services to HTTP problems. Unknown errors become 502 and are logged. */
export function grpcToProblem(err: unknown, log?: Logger): HttpProblem {
  if (!(err instanceof ClientError)) {
    log?.error({ err }, 'unexpected error calling a service');
    return new HttpProblem(502, 'An upstream service failed.');
  }
  const info = errorInfo(err);
  switch (err.code) {
    case Status.INVALID_ARGUMENT: {
      const errors = fieldViolations(err);
      return new HttpProblem(400, err.details || 'The request is invalid.', errors.length ? { errors } : {});
    }
    case Status.NOT_FOUND:
      return new HttpProblem(404, err.details || 'The resource does not exist.');
    case Status.ALREADY_EXISTS: {
      const existingLeadId = info?.metadata?.['existing_lead_id'];
      const existingAccountId = info?.metadata?.['existing_account_id'];
      // A duplicate the caller may not see is named by its owner and team only (the detail says whom to ask).
      const existingOwnerId = info?.metadata?.['existing_owner_id'];
      const existingTeamId = info?.metadata?.['existing_team_id'];
      return new HttpProblem(409, err.details || 'The resource already exists.', {
        title: 'Duplicate',
        ...(existingLeadId ? { existingLeadId } : {}),
        ...(existingAccountId ? { existingAccountId } : {}),
        ...(existingOwnerId ? { existingOwnerId } : {}),
        ...(existingTeamId ? { existingTeamId } : {}),
      });
    }
    case Status.ABORTED:
      if (!info || info.reason === 'VERSION_MISMATCH') {
        return new HttpProblem(
          412,
          err.details || 'The resource was changed by someone else; reload it and retry.',
        );
      }
      return new HttpProblem(409, err.details || 'The operation was aborted because of a conflict.');
    case Status.FAILED_PRECONDITION: {
      // Fields the record must have before this step (e.g. a stage's exit criteria): the caller fills them in.
      const errors = fieldViolations(err);
      if (errors.length)
        return new HttpProblem(422, err.details || 'Required fields are missing.', { errors });
      return new HttpProblem(409, err.details || 'The operation is not allowed in the current state.');
    }
    case Status.PERMISSION_DENIED:
      return new HttpProblem(403, err.details || 'Your roles do not allow this operation.');
    case Status.UNAUTHENTICATED:
      return new HttpProblem(
        401,
        'Authentication is required.',
        {},
        { 'WWW-Authenticate': 'Bearer realm="crm"' },
      );
    case Status.UNAVAILABLE:
      log?.warn({ code: err.code, details: err.details, path: err.path }, 'service unavailable');
      return new HttpProblem(
        503,
        'The service is temporarily unavailable; retry later.',
        {},
        { 'Retry-After': '5' },
      );
    case Status.DEADLINE_EXCEEDED:
      log?.warn({ path: err.path }, 'service deadline exceeded');
      return new HttpProblem(504, 'The service did not answer in time.');
    default:
      log?.error({ code: Status[err.code], details: err.details, path: err.path }, 'service call failed');
      return new HttpProblem(502, 'An upstream service failed.');
  }
}
