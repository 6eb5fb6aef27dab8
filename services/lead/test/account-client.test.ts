import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '@crm/kit';
import { ClientError, Status } from 'nice-grpc';
import { asDomainError } from '../src/grpc/account.client';

const answer = (code: Status, details: string) =>
  new ClientError('/crm.account.v1.AccountService/GetAccount', code, details);

describe('the account service’s answers, as the conversion reports them', () => {
  it('turns final answers into domain errors with the account service’s words', () => {
    const missing = asDomainError(answer(Status.NOT_FOUND, 'account a1 not found'));
    expect(missing).toBeInstanceOf(NotFoundError);
    expect((missing as Error).message).toBe('account a1 not found');
    expect(asDomainError(answer(Status.PERMISSION_DENIED, 'no'))).toBeInstanceOf(ForbiddenError);
    expect(asDomainError(answer(Status.INVALID_ARGUMENT, 'bad id'))).toBeInstanceOf(ValidationError);
    expect(asDomainError(answer(Status.FAILED_PRECONDITION, 'merged'))).toBeInstanceOf(ConflictError);
  });

  it('leaves transport trouble as it is, so the saga waits and resumes', () => {
    const away = answer(Status.UNAVAILABLE, 'connection refused');
    expect(asDomainError(away)).toBe(away);
    const lost = new Error('socket hang up');
    expect(asDomainError(lost)).toBe(lost);
  });
});
