import { UnavailableError } from '@crm/kit';
import { ClientError, Status } from 'nice-grpc';
import { leadVisibility } from '../src/grpc/lead.client';

const answer = (code: Status) => new ClientError('/crm.lead.v1.LeadService/GetLead', code, 'said');

describe("the lead service's answer to an activity on a lead", () => {
  it('a lead that is unknown, invisible or not an id is simply not visible', () => {
    for (const code of [Status.NOT_FOUND, Status.PERMISSION_DENIED, Status.INVALID_ARGUMENT])
      expect(leadVisibility(answer(code))).toBe(false);
  });

  it('a lead service that is away is 503 for the caller, never "not found"', () => {
    expect(() => leadVisibility(answer(Status.UNAVAILABLE))).toThrow(UnavailableError);
    expect(() => leadVisibility(answer(Status.DEADLINE_EXCEEDED))).toThrow(UnavailableError);
    expect(() => leadVisibility(new Error('socket hang up'))).toThrow(UnavailableError);
  });
});
