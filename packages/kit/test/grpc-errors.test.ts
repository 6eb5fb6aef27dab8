import { Status } from 'nice-grpc';
import { BadRequest, RichServerError } from 'nice-grpc-error-details';
import { ConflictError, toGrpcError } from '../src';

class FieldsMissing extends ConflictError {
  readonly violations = [{ field: 'decisionMakerContactId', description: 'must be filled first' }];
}

describe('domain errors as gRPC statuses', () => {
  it('sends a conflict that names fields with them, so the gateway can answer 422', () => {
    const err = toGrpcError(new FieldsMissing('leaving needs-analysis needs decisionMakerContactId'));
    expect(err).toBeInstanceOf(RichServerError);
    expect(err?.code).toBe(Status.FAILED_PRECONDITION);
    expect((err as RichServerError).extra).toEqual([
      BadRequest.fromPartial({
        fieldViolations: [{ field: 'decisionMakerContactId', description: 'must be filled first' }],
      }),
    ]);
  });

  it('keeps a plain conflict without details', () => {
    const err = toGrpcError(new ConflictError('already converted'));
    expect(err?.code).toBe(Status.FAILED_PRECONDITION);
    expect(err).not.toBeInstanceOf(RichServerError);
  });
});
