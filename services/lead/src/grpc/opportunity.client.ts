import { onBehalfOf, serviceClient } from '@crm/kit';
import { opportunity as opportunityPb } from '@crm/proto';
import type { ConversionContext, OpportunityPort } from '../domain/convert-lead';
import { asDomainError } from './account.client';

const answer = <T>(call: Promise<T>): Promise<T> =>
  call.catch((err: unknown) => {
    throw asDomainError(err);
  });

/** The conversion's view of the opportunity service, over gRPC, acting for the user who converts. */
export function opportunityClient(
  address: string,
  timeoutMs = 5000,
): OpportunityPort & { close: () => void } {
  const { client, close } = serviceClient(opportunityPb.OpportunityServiceDefinition, address);
  const opts = (ctx: ConversionContext) => onBehalfOf(ctx.actor, ctx.requestId, timeoutMs);
  return {
    close,
    async createOpportunity(ctx, deal, creationKey) {
      const created = await answer(
        client.createOpportunity(
          {
            fields: {
              name: deal.name,
              accountId: deal.accountId,
              primaryContactId: deal.contactId,
              amountMinor: String(deal.amountMinor),
              currency: deal.currency,
              expectedCloseDate: deal.closeDate,
              ownerId: deal.ownerId,
              teamId: deal.teamId,
            },
            pipelineId: '',
            sourceLeadId: ctx.lead._id,
            creationKey,
          },
          opts(ctx),
        ),
      );
      return { opportunityId: created.id };
    },
    async discardOpportunity(ctx, opportunityId, creationKey) {
      await answer(client.discardOpportunity({ id: opportunityId, creationKey }, opts(ctx)));
    },
  };
}
