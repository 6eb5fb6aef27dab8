import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import type { analytics } from '@crm/proto';
import { z } from 'zod';
import { operation, type Operation } from '../api/operation';

extendZodWithOpenApi(z);

const currency = z
  .string()
  .regex(/^[A-Za-z]{3}$/, 'an ISO 4217 code')
  .openapi({ description: 'ISO 4217 code, e.g. EUR' });

const ExchangeRate = z
  .object({
    currency,
    validFrom: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'a day yyyy-mm-dd')
      .openapi({ description: 'The first day it applies; it applies until the currency’s next rate' }),
    rate: z
      .string()
      .regex(/^\d{1,9}(\.\d{1,10})?$/, 'a positive decimal such as 0.1281')
      .openapi({
        description: 'Units of the reporting currency for one unit of `currency`, as a decimal string',
      }),
  })
  .strict()
  .openapi('ExchangeRate');

const ExchangeRatesInput = z
  .object({ reportingCurrency: currency, rates: z.array(ExchangeRate).max(2000) })
  .strict()
  .openapi('ExchangeRatesInput');

const ExchangeRates = z
  .object({
    reportingCurrency: z.string().nullable().openapi({ description: 'null before an admin first saves' }),
    rates: z.array(ExchangeRate),
    version: z.number().int(),
    updatedAt: z.string().nullable(),
    updatedBy: z.string().nullable(),
  })
  .openapi('ExchangeRates');

const toJson = (r: analytics.ExchangeRates) => ({
  reportingCurrency: r.reportingCurrency || null,
  rates: r.rates,
  version: Number(r.version),
  updatedAt: r.updatedAt?.toISOString() ?? null,
  updatedBy: r.updatedBy || null,
});

/** The exchange rates sales figures convert with (`currency=reporting`); configuration an admin keeps. */
export const exchangeRateOperations: Operation[] = [
  operation({
    method: 'get',
    path: '/analytics/exchange-rates',
    operationId: 'getExchangeRates',
    tag: 'Analytics',
    summary: 'The exchange rates into the reporting currency',
    description: 'Every rate by currency and first day, with the reporting currency. Sales roles and admins.',
    permission: 'analytics.sales.read',
    responses: { 200: { description: 'The rates', schema: ExchangeRates } },
    async handler({ call, deps }) {
      const r = await call((o) => deps.clients.analytics.getExchangeRates({}, o));
      return { body: toJson(r), etag: Number(r.version) };
    },
  }),
  operation({
    method: 'put',
    path: '/analytics/exchange-rates',
    operationId: 'saveExchangeRates',
    tag: 'Analytics',
    summary: 'Replace the exchange rates',
    description:
      'Sets the reporting currency and every rate (a rate applies from its day until the next rate of its ' +
      'currency). Figures asked with `currency=reporting` convert each amount at the rate valid on the day ' +
      'that counts for it: a closed deal’s close day, an open deal’s expected close day (else today), a ' +
      'payment’s due or received day; an amount no rate applies to stays in its own currency. Send ' +
      '`If-Match` with the ETag read, or lose a concurrent admin’s change. Admins only.',
    permission: 'analytics.rates.manage',
    body: ExchangeRatesInput,
    ifMatch: true,
    responses: { 200: { description: 'The rates as saved', schema: ExchangeRates } },
    async handler({ body, call, deps, expectedVersion }) {
      const r = await call((o) =>
        deps.clients.analytics.saveExchangeRates(
          {
            reportingCurrency: body.reportingCurrency,
            rates: body.rates,
            expectedVersion: expectedVersion(),
          },
          o,
        ),
      );
      return { body: toJson(r), etag: Number(r.version) };
    },
  }),
];
