import { randomUUID } from 'node:crypto';
import { allows, checkVersion, DuplicateError, ForbiddenError, NotFoundError } from '@crm/kit';
import { normaliseProductFields, type ProductFields } from '../domain/product';
import { quoteEvents as events } from '../events/quote-events';
import type { ProductDoc } from '../store/quote.model';
import type { Caller } from './ports';
import type { QuotePorts } from './quote-ports';

const codeTaken = (code: string) =>
  new DuplicateError(`another product has the code ${code}`, 'DUPLICATE_PRODUCT_CODE', { code });

/** The product catalogue: every CRM role reads it, admins (permission product.write) write it. */
export class Products {
  constructor(private readonly p: QuotePorts) {}

  list(includeInactive: boolean, c: Caller): Promise<ProductDoc[]> {
    mayRead(c);
    return this.p.products.list(includeInactive);
  }

  async get(id: string, c: Caller): Promise<ProductDoc> {
    mayRead(c);
    const found = await this.p.products.get(id);
    if (!found) throw new NotFoundError('product', id);
    return found;
  }

  async create(raw: ProductFields, c: Caller): Promise<ProductDoc> {
    mayWrite(c);
    const fields = normaliseProductFields(raw);
    const now = new Date();
    const doc: ProductDoc = {
      _id: randomUUID(),
      version: 1,
      ...fields,
      createdAt: now,
      createdBy: c.actor.userId,
      updatedAt: now,
      updatedBy: c.actor.userId,
      outbox: [],
    };
    doc.outbox = [events.productSaved(doc, c.actor, c.requestId)];
    if (!(await this.p.products.insert(doc))) throw codeTaken(fields.code);
    this.p.written('product', doc._id);
    return doc;
  }

  async update(id: string, expectedVersion: number, raw: ProductFields, c: Caller): Promise<ProductDoc> {
    mayWrite(c);
    const fields = normaliseProductFields(raw);
    const current = await this.get(id, c);
    checkVersion(expectedVersion, current.version);
    const next = await this.p.products.save(current, fields, c.actor, (n) => [
      events.productSaved(n, c.actor, c.requestId),
    ]);
    if (!next) throw codeTaken(fields.code);
    this.p.written('product', id);
    return next;
  }
}

function mayRead(c: Caller): void {
  if (!allows(c.actor.roles, 'product.read')) throw new ForbiddenError('this role does not read products');
}

function mayWrite(c: Caller): void {
  if (!allows(c.actor.roles, 'product.write'))
    throw new ForbiddenError('only an admin or a product manager changes the product catalogue');
}
