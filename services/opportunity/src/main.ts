import './telemetry';
import { CustomFields } from '@crm/custom-fields';
import { followAccountMerges, runService, startAll } from '@crm/kit';
import { OWNERSHIP_STREAM, poolGrpc, RecordPool, takePartInTransfers } from '@crm/ownership';
import { z } from 'zod';
import {
  customFields as cfPb,
  descriptorSet,
  opportunity as pb,
  ownership,
  payment as paymentPb,
  quote as quotePb,
} from '@crm/proto';
import { ApprovalOutcomes } from './application/approvals';
import { DealOwnership } from './application/deal-ownership';
import { Opportunities } from './application/opportunities';
import { CLOSE_SUBJECT, LossReasons, OpportunityClosing } from './application/opportunity-closing';
import { Pipelines } from './application/pipelines';
import { Products } from './application/products';
import { QUOTE_SUBJECT, Quotes } from './application/quotes';
import { PAYMENT_SUBJECT, Payments } from './application/payments';
import type { OpportunityPorts } from './application/ports';
import { DEFAULT_QUOTE_FONT, quotePdfRenderer } from './documents/quote-pdf';
import { followAccountOwners } from './events/account-owner.consumer';
import { followApprovalOutcomes } from './events/approval-events.consumer';
import { accountClient } from './grpc/account.client';
import { approvalClient } from './grpc/approval.client';
import { opportunityGrpc, pipelineGrpc } from './grpc/opportunity.grpc';
import { productGrpc, quoteGrpc } from './grpc/quote.grpc';
import { paymentGrpc } from './grpc/payment.grpc';
import { registerModels } from './store/opportunity.model';
import { opportunityPool, opportunityTransfer, movableDeals } from './store/opportunity-ownership';
import {
  MongoLossReasonsRepository,
  MongoOpportunityRepository,
  MongoPipelineRepository,
} from './store/opportunity.repository';
import { registerQuoteModels } from './store/quote.model';
import { MongoProductRepository, MongoQuoteRepository } from './store/quote.repository';
import { registerPaymentModels } from './store/payment.model';
import { MongoPaymentDeals, MongoPaymentRepository } from './store/payment.repository';

void runService({
  name: 'opportunity',
  grpcPort: 50053,
  dbName: 'crm_opportunity',
  descriptorSet: descriptorSet(),
  env: {
    /** The account service, asked whether a deal's account exists and is visible to the seller. */
    ACCOUNT_GRPC_ADDR: z.string().min(1).default('127.0.0.1:50052'),
    /** The approval engine, asked before a deal is won (and for quotes and payments). */
    APPROVAL_GRPC_ADDR: z.string().min(1).default('127.0.0.1:50054'),
    /** A font with Chinese glyphs for quote PDFs (Debian fonts-noto-cjk). */
    QUOTE_PDF_FONT: z.string().min(1).default(DEFAULT_QUOTE_FONT),
    /** How often the payment timer looks for milestones whose due date passed unpaid (due dates are days). */
    PAYMENT_CHECK_EVERY_MS: z.coerce.number().int().min(1000).default(300_000),
  },
  streams: [{ name: 'CRM_OPPORTUNITY', subjects: ['crm.opportunity.>'] }, OWNERSHIP_STREAM],
  async setup({ db, grpc, config, logger, written }) {
    const models = registerModels(db);
    const byKind = { pipeline: models.Pipeline, opportunity: models.Opportunity };
    const customFields = new CustomFields(db, ['opportunity']);
    await customFields.load();
    const ports: OpportunityPorts = {
      pipelines: new MongoPipelineRepository(models),
      opportunities: new MongoOpportunityRepository(models),
      lossReasons: new MongoLossReasonsRepository(models),
      accounts: accountClient(config.ACCOUNT_GRPC_ADDR),
      approvals: approvalClient(config.APPROVAL_GRPC_ADDR),
      customFields,
      written: (kind, id) => written(byKind[kind], id),
    };
    const pipelines = new Pipelines(ports);
    const opportunities = new Opportunities(ports, pipelines);
    const lossReasons = new LossReasons(ports);
    const closing = new OpportunityClosing(ports, pipelines, opportunities, lossReasons);
    const quoteModels = registerQuoteModels(db);
    const quotePorts = {
      products: new MongoProductRepository(quoteModels),
      quotes: new MongoQuoteRepository(quoteModels),
      pdf: quotePdfRenderer(config.QUOTE_PDF_FONT),
      approvals: ports.approvals,
      dealOwnerOf: async (id: string) => (await ports.opportunities.get(id))?.ownerId ?? '',
      written: (kind: 'product' | 'quote', id: string) =>
        written(kind === 'product' ? quoteModels.Product : quoteModels.Quote, id),
    };
    const quotes = new Quotes(quotePorts, opportunities);
    const paymentModels = registerPaymentModels(db);
    const payments = new Payments(
      {
        payments: new MongoPaymentRepository(paymentModels),
        deals: new MongoPaymentDeals(models),
        approvals: ports.approvals,
        written: (id) => written(paymentModels.Payment, id),
      },
      opportunities,
    );
    // Outcomes of the approval engine, by the subject type this service asked about.
    const approvalOutcomes = new ApprovalOutcomes(
      {
        [CLOSE_SUBJECT]: (d) => closing.applyDecision(d),
        [QUOTE_SUBJECT]: (d) => quotes.applyDecision(d),
        [PAYMENT_SUBJECT]: (d) => payments.applyDecision(d),
      },
      logger,
    );
    // Open deals follow their owner's book in a transfer and can wait in the public pool.
    const dealOwnership = new DealOwnership(ports, movableDeals(models));
    const pool = new RecordPool(opportunityPool(models, db, (id) => written(models.Opportunity, id), logger));
    grpc.server.add(ownership.PoolServiceDefinition, poolGrpc([pool]));
    grpc.server.add(pb.PipelineServiceDefinition, pipelineGrpc(pipelines));
    grpc.server.add(
      pb.OpportunityServiceDefinition,
      opportunityGrpc(opportunities, closing, lossReasons, (v) => customFields.visibleNow('opportunity', v)),
    );
    grpc.server.add(cfPb.CustomFieldServiceDefinition, customFields.grpc());
    grpc.server.add(quotePb.ProductServiceDefinition, productGrpc(new Products(quotePorts)));
    grpc.server.add(quotePb.QuoteServiceDefinition, quoteGrpc(quotes));
    grpc.server.add(paymentPb.PaymentServiceDefinition, paymentGrpc(payments));
    return {
      services: [
        pb.PipelineServiceDefinition.fullName,
        pb.OpportunityServiceDefinition.fullName,
        quotePb.ProductServiceDefinition.fullName,
        quotePb.QuoteServiceDefinition.fullName,
        ownership.PoolServiceDefinition.fullName,
        paymentPb.PaymentServiceDefinition.fullName,
        cfPb.CustomFieldServiceDefinition.fullName,
      ],
      outboxModels: [
        models.Pipeline,
        models.Opportunity,
        quoteModels.Product,
        quoteModels.Quote,
        paymentModels.Payment,
      ],
      schedules: [
        {
          name: 'payment-overdue',
          everyMs: config.PAYMENT_CHECK_EVERY_MS,
          run: async (now: Date) => void (await payments.markOverdue(now)),
        },
      ],
      // CRM_APPROVAL is the approval service's stream: until it exists the host retries every 2 s.
      consumers: (nc) =>
        startAll([
          followApprovalOutcomes(nc, db, approvalOutcomes, logger),
          followAccountOwners(nc, db, dealOwnership, logger),
          followAccountMerges(nc, db, logger, {
            durable: 'opportunity-accounts-merged',
            records: 'deals',
            follow: (merged, survivor, actor, requestId) =>
              dealOwnership.followMerge(merged, survivor, actor, requestId),
          }),
          () =>
            takePartInTransfers(nc, db, logger, 'opportunity', [opportunityTransfer(models, dealOwnership)]),
        ]),
    };
  },
});
