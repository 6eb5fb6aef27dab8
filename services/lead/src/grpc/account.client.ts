import {
  ConflictError,
  ForbiddenError,
  isTransientGrpcError,
  NotFoundError,
  onBehalfOf,
  serviceClient,
  ValidationError,
} from '@crm/kit';
import { account as accountPb } from '@crm/proto';
import { ClientError, Status } from 'nice-grpc';
import type { AccountPort, ConversionContext } from '../domain/convert-lead';

/**
 * A final answer of the account service in the domain's words, so the conversion reports it as is
 * (e.g. 404 for a named account the caller cannot see). Transport trouble stays as it is: the saga
 * suspends on it and resumes later.
 */
export function asDomainError(err: unknown): unknown {
  if (!(err instanceof ClientError) || isTransientGrpcError(err)) return err;
  const said = (e: Error) => Object.assign(e, { message: err.details });
  switch (err.code) {
    case Status.NOT_FOUND:
      return said(new NotFoundError('account', ''));
    case Status.INVALID_ARGUMENT:
      return new ValidationError([{ field: 'accountId', description: err.details }]);
    case Status.PERMISSION_DENIED:
    case Status.UNAUTHENTICATED:
      return new ForbiddenError(err.details);
    default:
      return new ConflictError(err.details);
  }
}

/** Calls the account service, turning its final answers into domain errors. */
const answer = <T>(call: Promise<T>): Promise<T> =>
  call.catch((err: unknown) => {
    throw asDomainError(err);
  });

/** The conversion's view of the account service, over gRPC, acting for the user who converts. */
export function accountClient(address: string, timeoutMs = 5000): AccountPort & { close: () => void } {
  const { client, close } = serviceClient(accountPb.AccountServiceDefinition, address);
  const opts = (ctx: ConversionContext) => onBehalfOf(ctx.actor, ctx.requestId, timeoutMs);
  return {
    close,
    async createOrLinkAccount(ctx, a, creationKey) {
      const res = await answer(
        client.createAccount(
          {
            account: accountPb.AccountInput.fromPartial({
              name: a.name,
              website: a.domain,
              industry: a.industry,
              region: a.region,
              size: a.size,
              ownerId: a.ownerId,
              teamId: a.teamId,
            }),
            creationKey,
            linkDuplicate: true,
            allowDuplicate: false,
          },
          opts(ctx),
        ),
      );
      return { accountId: res.account!.id, created: res.created };
    },
    async resolveAccount(ctx, accountId) {
      // A merged account answers with its survivor, which is the one to use.
      return (await answer(client.getAccount({ id: accountId }, opts(ctx)))).id;
    },
    async createContact(ctx, accountId, c, creationKey) {
      const res = await answer(
        client.createContact(
          { accountId, contact: accountPb.ContactInput.fromPartial({ ...c }), creationKey },
          opts(ctx),
        ),
      );
      return { contactId: res.id };
    },
    async discardAccount(ctx, id, creationKey) {
      await answer(client.discardAccount({ id, creationKey }, opts(ctx)));
    },
    async discardContact(ctx, id, creationKey) {
      await answer(client.discardContact({ id, creationKey }, opts(ctx)));
    },
  };
}
