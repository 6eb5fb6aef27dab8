import './telemetry';
import { runService } from '@crm/kit';
import { z } from 'zod';
import { descriptorSet, opportunity as pb, quote as quotePb } from '@crm/proto';
import { Opportunities } from './application/opportunities';
import { Pipelines } from './application/pipelines';
import { Products } from './application/products';
import { Quotes } from './application/quotes';
import type { OpportunityPorts } from './application/ports';
import { DEFAULT_QUOTE_FONT, quotePdfRenderer } from './documents/quote-pdf';
import { accountClient } from './grpc/account.client';
import { opportunityGrpc, pipelineGrpc } from './grpc/opportunity.grpc';
import { productGrpc, quoteGrpc } from './grpc/quote.grpc';
import { registerModels } from './store/opportunity.model';
import { MongoOpportunityRepository, MongoPipelineRepository } from './store/opportunity.repository';
import { registerQuoteModels } from './store/quote.model';
import { MongoProductRepository, MongoQuoteRepository } from './store/quote.repository';

void runService({
  name: 'opportunity',
  grpcPort: 50053,
  dbName: 'crm_opportunity',
  descriptorSet: descriptorSet(),
  env: {
    /** The account service, asked whether a deal's account exists and is visible to the seller. */
    ACCOUNT_GRPC_ADDR: z.string().min(1).default('127.0.0.1:50052'),
    /** A font with Chinese glyphs for quote PDFs (Debian fonts-noto-cjk). */
    QUOTE_PDF_FONT: z.string().min(1).default(DEFAULT_QUOTE_FONT),
  },
  streams: [{ name: 'CRM_OPPORTUNITY', subjects: ['crm.opportunity.>'] }],
  async setup({ db, grpc, config, written }) {
    const models = registerModels(db);
    const byKind = { pipeline: models.Pipeline, opportunity: models.Opportunity };
    const ports: OpportunityPorts = {
      pipelines: new MongoPipelineRepository(models),
      opportunities: new MongoOpportunityRepository(models),
      accounts: accountClient(config.ACCOUNT_GRPC_ADDR),
      written: (kind, id) => written(byKind[kind], id),
    };
    const pipelines = new Pipelines(ports);
    const opportunities = new Opportunities(ports, pipelines);
    grpc.server.add(pb.PipelineServiceDefinition, pipelineGrpc(pipelines));
    grpc.server.add(pb.OpportunityServiceDefinition, opportunityGrpc(opportunities));
    const quoteModels = registerQuoteModels(db);
    const quotePorts = {
      products: new MongoProductRepository(quoteModels),
      quotes: new MongoQuoteRepository(quoteModels),
      pdf: quotePdfRenderer(config.QUOTE_PDF_FONT),
      written: (kind: 'product' | 'quote', id: string) =>
        written(kind === 'product' ? quoteModels.Product : quoteModels.Quote, id),
    };
    grpc.server.add(quotePb.ProductServiceDefinition, productGrpc(new Products(quotePorts)));
    grpc.server.add(quotePb.QuoteServiceDefinition, quoteGrpc(new Quotes(quotePorts, opportunities)));
    return {
      services: [
        pb.PipelineServiceDefinition.fullName,
        pb.OpportunityServiceDefinition.fullName,
        quotePb.ProductServiceDefinition.fullName,
        quotePb.QuoteServiceDefinition.fullName,
      ],
      outboxModels: [models.Pipeline, models.Opportunity, quoteModels.Product, quoteModels.Quote],
    };
  },
});
