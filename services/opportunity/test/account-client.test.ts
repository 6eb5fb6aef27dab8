import { UnavailableError } from '@crm/kit';
import { ClientError, Status } from 'nice-grpc';
import { accountVisibility } from '../src/grpc/account.client';

const answer = (code: Status) => new ClientError('/crm.account.v1.AccountService/GetAccount', code, 'said');

describe("the account service's answer about a deal's account", () => {
  it('an account that is unknown, invisible or not an id is simply not visible', () => {
    for (const code of [Status.NOT_FOUND, Status.PERMISSION_DENIED, Status.INVALID_ARGUMENT])
      expect(accountVisibility(answer(code))).toBe(false);
  });

  it('an account service that is away is 503 for the caller, never "not an account"', () => {
    expect(() => accountVisibility(answer(Status.UNAVAILABLE))).toThrow(UnavailableError);
    expect(() => accountVisibility(new Error('socket hang up'))).toThrow(UnavailableError);
  });
});
