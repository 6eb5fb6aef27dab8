import { UnavailableError } from '@crm/kit';
import { ClientError, Status } from 'nice-grpc';
import { dealVisibility } from '../src/grpc/opportunity.client';

const answer = (code: Status) =>
  new ClientError('/crm.opportunity.v1.OpportunityService/GetOpportunity', code, 'said');

describe("the opportunity service's answer to an activity about a deal", () => {
  it('a deal that is unknown, invisible or not an id is simply not there', () => {
    for (const code of [Status.NOT_FOUND, Status.PERMISSION_DENIED, Status.INVALID_ARGUMENT])
      expect(dealVisibility(answer(code))).toBeUndefined();
  });

  it('an opportunity service that is away is 503 for the caller, never "not found"', () => {
    expect(() => dealVisibility(answer(Status.UNAVAILABLE))).toThrow(UnavailableError);
    expect(() => dealVisibility(answer(Status.DEADLINE_EXCEEDED))).toThrow(UnavailableError);
    expect(() => dealVisibility(new Error('socket hang up'))).toThrow(UnavailableError);
  });
});
