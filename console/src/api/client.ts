import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema.gen';
import type { Session } from '../auth/session';

export type Api = ReturnType<typeof createApi>;

/** The REST API typed from the gateway's OpenAPI document, with the user's token on every call. */
export function createApi(session: Session) {
  const api = createClient<paths>({ baseUrl: '' });
  const bearer: Middleware = {
    async onRequest({ request }) {
      request.headers.set('Authorization', `Bearer ${await session.token()}`);
      return request;
    },
  };
  api.use(bearer);
  return api;
}

/** A problem+json answer, as the API sends for every error. */
export interface Problem {
  status: number;
  title: string;
  detail?: string;
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title);
  }
}

/** The data of an openapi-fetch answer, or an ApiError with the problem the API sent. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.data !== undefined && result.response.ok) return result.data;
  const problem = (result.error ?? {}) as Partial<Problem>;
  throw new ApiError({
    status: problem.status ?? result.response.status,
    title: problem.title ?? result.response.statusText,
    detail: problem.detail,
  });
}
