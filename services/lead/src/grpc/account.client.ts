import { onBehalfOf, serviceClient } from '@crm/kit';
import { account as accountPb } from '@crm/proto';
import type { AccountPort, ConversionContext } from '../domain/convert-lead';

/** The conversion's view of the account service, over gRPC, acting for the user who converts. */
export function accountClient(address: string, timeoutMs = 5000): AccountPort & { close: () => void } {
  const { client, close } = serviceClient(accountPb.AccountServiceDefinition, address);
  const opts = (ctx: ConversionContext) => onBehalfOf(ctx.actor, ctx.requestId, timeoutMs);
  return {
    close,
    async createOrLinkAccount(ctx, a, creationKey) {
      const res = await client.createAccount(
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
      );
      return { accountId: res.account!.id, created: res.created };
    },
    async resolveAccount(ctx, accountId) {
      // A merged account answers with its survivor, which is the one to use.
      return (await client.getAccount({ id: accountId }, opts(ctx))).id;
    },
    async createContact(ctx, accountId, c, creationKey) {
      const res = await client.createContact(
        { accountId, contact: accountPb.ContactInput.fromPartial({ ...c }), creationKey },
        opts(ctx),
      );
      return { contactId: res.id };
    },
    async discardAccount(ctx, id, creationKey) {
      await client.discardAccount({ id, creationKey }, opts(ctx));
    },
    async discardContact(ctx, id, creationKey) {
      await client.discardContact({ id, creationKey }, opts(ctx));
    },
  };
}
