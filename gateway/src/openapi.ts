import { buildOpenApiDocument as build } from './api/document';
import { operations } from './api/operations';

/** The OpenAPI 3.1 document of every operation (without the live custom fields; see custom-fields/openapi.ts). */
export function buildOpenApiDocument(): object {
  return build(operations);
}
