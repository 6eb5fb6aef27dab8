import type { Response } from 'express';

export interface FieldError {
  field: string;
  message: string;
}

export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: FieldError[];
  [extra: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  405: 'Method Not Allowed',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** An error that the error handler turns into an RFC 9457 problem response. */
export class HttpProblem extends Error {
  readonly problem: Problem;
  readonly headers: Record<string, string>;
  constructor(
    status: number,
    detail?: string,
    extra: Partial<Problem> = {},
    headers: Record<string, string> = {},
  ) {
    super(detail ?? TITLES[status] ?? 'Error');
    this.problem = { ...extra, title: extra.title ?? TITLES[status] ?? 'Error', status, detail };
    this.headers = headers;
  }
}

export function titleOf(status: number): string {
  return TITLES[status] ?? 'Error';
}

/** The path without its query: a query may hold a token sent by mistake (`?access_token=`). */
const pathOf = (url: string | undefined) => url?.split('?')[0];

/** Writes an RFC 9457 application/problem+json response. */
export function sendProblem(res: Response, p: Problem, headers: Record<string, string> = {}): void {
  const body: Problem = {
    type: p.type ?? 'about:blank',
    title: p.title ?? titleOf(p.status),
    status: p.status,
    ...(p.detail !== undefined ? { detail: p.detail } : {}),
    instance: p.instance ?? pathOf(res.req?.originalUrl),
    ...Object.fromEntries(
      Object.entries(p).filter(([k]) => !['type', 'title', 'status', 'detail', 'instance'].includes(k)),
    ),
  };
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.status(p.status).type('application/problem+json').send(JSON.stringify(body));
}
