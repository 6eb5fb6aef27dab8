import express, { type Request, type Response, Router } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { serviceTicket as pb } from '@crm/proto';
import { ownCallOptions } from '../grpc';
import { grpcToProblem } from '../http/grpc-errors';
import { type HttpProblem, sendProblem, titleOf } from '../http/problem';
import type { TicketClient } from '../grpc';

/** Where the resolve answer points the customer: GET shows the page, POST takes the answer. */
export const CONFIRMATION_PATH = '/public/tickets/confirm';

type Lang = 'en' | 'zh';
const EN = {
  title: 'Is your issue resolved?',
  subject: 'Your request',
  resolution: 'What we did',
  rate: 'How satisfied are you with our service? (1 = poor, 5 = excellent)',
  comment: 'Comment (required if the issue is not resolved)',
  confirm: 'Yes, it is resolved',
  reject: 'No, it is not resolved',
  thanksConfirm: 'Thank you. Your ticket is closed.',
  thanksReject: 'Thank you. We reopened your ticket and will get back to you.',
  answered: 'This link was already used. Thank you.',
  invalid: 'This link is not valid or has expired.',
  needsComment: 'Please tell us what is still not resolved, so that we can take it up again.',
  incomplete: 'Please choose a rating from 1 to 5 and answer again.',
  other: 'Switch to 中文',
};
const TEXT: Record<Lang, typeof EN> = {
  en: EN,
  zh: {
    title: '您的问题解决了吗？',
    subject: '您的请求',
    resolution: '处理结果',
    rate: '您对我们的服务满意吗？（1 = 很差，5 = 非常满意）',
    comment: '意见（如问题未解决，请说明）',
    confirm: '是的，已解决',
    reject: '没有，仍未解决',
    thanksConfirm: '谢谢！您的工单已关闭。',
    thanksReject: '谢谢！我们已重新打开您的工单，会尽快与您联系。',
    answered: '此链接已使用过。谢谢！',
    invalid: '此链接无效或已过期。',
    needsComment: '请告诉我们哪些问题仍未解决，以便我们继续处理。',
    incomplete: '请选择 1 到 5 的评分后再提交。',
    other: 'Switch to English',
  },
};

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!,
  );

/** ?lang= wins; otherwise the browser's first language. */
function langOf(req: Request): Lang {
  const asked = typeof req.query.lang === 'string' ? req.query.lang : (req.body?.lang as string | undefined);
  if (asked === 'zh' || asked === 'en') return asked;
  return /^zh\b/i.test(req.get('accept-language') ?? '') ? 'zh' : 'en';
}

function page(lang: Lang, body: string): string {
  return `<!doctype html><html lang="${lang === 'zh' ? 'zh-CN' : 'en'}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(TEXT[lang].title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
fieldset{border:0;padding:0}label{display:block;margin:.75rem 0 .25rem}textarea{width:100%;min-height:5rem}
button{margin:1rem .5rem 0 0;padding:.5rem 1rem}</style></head><body>${body}</body></html>`;
}

/** What the customer typed, kept when the form comes back with a message. */
interface Typed {
  csatScore?: number;
  comment?: string;
  problem?: string;
}

function form(lang: Lang, token: string, c: pb.CustomerConfirmation, typed: Typed = {}): string {
  const t = TEXT[lang];
  const other = lang === 'zh' ? 'en' : 'zh';
  const stars = [1, 2, 3, 4, 5]
    .map(
      (n) =>
        `<label><input type="radio" name="csatScore" value="${n}" required${typed.csatScore === n ? ' checked' : ''}> ${n}</label>`,
    )
    .join('');
  const problem = typed.problem ? `<p role="alert" style="color:#c92a2a">${esc(typed.problem)}</p>` : '';
  return `<h1>${esc(t.title)}</h1>${problem}
<p><strong>${esc(t.subject)}:</strong> ${esc(c.subject)}</p>
<p><strong>${esc(t.resolution)}:</strong> ${esc(c.resolution)}</p>
<form method="post" action="${CONFIRMATION_PATH}">
<input type="hidden" name="token" value="${esc(token)}"><input type="hidden" name="lang" value="${lang}">
<fieldset><legend>${esc(t.rate)}</legend>${stars}</fieldset>
<label for="comment">${esc(t.comment)}</label><textarea id="comment" name="comment" maxlength="2000">${esc(typed.comment ?? '')}</textarea>
<button type="submit" name="decision" value="confirm">${esc(t.confirm)}</button>
<button type="submit" name="decision" value="reject">${esc(t.reject)}</button>
</form>
<p><a href="${CONFIRMATION_PATH}?token=${encodeURIComponent(token)}&amp;lang=${other}">${esc(t.other)}</a></p>`;
}

const Answer = z.object({
  token: z.string().min(1).max(4000),
  decision: z.enum(['confirm', 'reject']),
  csatScore: z.coerce.number().int().min(1).max(5),
  comment: z.string().max(2000).default(''),
  lang: z.enum(['en', 'zh']).optional(),
});

/**
 * The customer's side of the closed loop, without login: the page behind the link (Chinese or
 * English) and the answer (a form post from the page, or JSON). The signed, single-use token is the
 * only authority; the gateway asks the service under its own identity. Internal notes never appear.
 */
export function publicConfirmationRouter(deps: {
  serviceTicket: TicketClient;
  grpcDeadlineMs: number;
  logger: Logger;
  rateLimitPerMinute: number;
}): Router {
  const router = Router();
  router.use(
    rateLimit({
      windowMs: 60_000,
      limit: Math.min(deps.rateLimitPerMinute, 60),
      standardHeaders: 'draft-8',
      identifier: 'confirmation-per-ip',
      legacyHeaders: false,
      keyGenerator: (req) => `public:${ipKeyGenerator(req.ip ?? '')}`,
    }),
  );
  router.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer'); // the token must not leak to other sites
    next();
  });
  const opts = (req: Request) => ownCallOptions(String(req.id), deps.grpcDeadlineMs);
  const wantsHtml = (req: Request) => !req.is('application/json');

  function fail(req: Request, res: Response, err: unknown, lang: Lang): void {
    const { problem }: HttpProblem = grpcToProblem(err, deps.logger);
    if (!wantsHtml(req)) return sendProblem(res, problem);
    const text = problem.status === 409 ? TEXT[lang].answered : TEXT[lang].invalid;
    res
      .status(problem.status)
      .type('html')
      .send(page(lang, `<h1>${esc(text)}</h1>`));
  }

  /** The form again (400), with what the customer typed and what is missing. */
  async function againWith(req: Request, res: Response, lang: Lang, token: string, typed: Typed) {
    try {
      const c = await deps.serviceTicket.getConfirmation({ token }, await opts(req));
      if (c.answered)
        return void res
          .status(409)
          .type('html')
          .send(page(lang, `<h1>${esc(TEXT[lang].answered)}</h1>`));
      res
        .status(400)
        .type('html')
        .send(page(lang, form(lang, token, c, typed)));
    } catch (err) {
      fail(req, res, err, lang);
    }
  }

  router.get('/tickets/confirm', async (req, res) => {
    const lang = langOf(req);
    const token = typeof req.query.token === 'string' ? req.query.token : '';
    try {
      const c = await deps.serviceTicket.getConfirmation({ token }, await opts(req));
      const body = c.answered ? `<h1>${esc(TEXT[lang].answered)}</h1>` : form(lang, token, c);
      res.type('html').send(page(lang, body));
    } catch (err) {
      fail(req, res, err, lang);
    }
  });

  router.post(
    '/tickets/confirm',
    express.urlencoded({ extended: false, limit: '16kb' }),
    express.json({ limit: '16kb' }),
    async (req, res) => {
      const lang = langOf(req);
      const parsed = Answer.safeParse(req.body ?? {});
      const token = typeof req.body?.token === 'string' ? (req.body.token as string) : '';
      if (!parsed.success && wantsHtml(req) && token) {
        const comment = typeof req.body?.comment === 'string' ? (req.body.comment as string) : '';
        return againWith(req, res, lang, token, { comment, problem: TEXT[lang].incomplete });
      }
      if (!parsed.success) {
        const errors = parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message }));
        return sendProblem(res, {
          status: 400,
          title: titleOf(400),
          detail: 'The answer is not complete.',
          errors,
        });
      }
      const a = parsed.data;
      try {
        const c = await deps.serviceTicket.answerConfirmation(
          { token: a.token, decision: a.decision, csatScore: a.csatScore, comment: a.comment },
          await opts(req),
        );
        if (!wantsHtml(req))
          return void res.json({ ticketId: c.ticketId, status: c.status, csatScore: c.csatScore });
        const text = a.decision === 'confirm' ? TEXT[lang].thanksConfirm : TEXT[lang].thanksReject;
        res.type('html').send(page(lang, `<h1>${esc(text)}</h1>`));
      } catch (err) {
        // A refused answer (a rejection without a comment) is not a dead link: the form comes back.
        if (wantsHtml(req) && grpcToProblem(err, deps.logger).problem.status === 400) {
          const problem =
            a.decision === 'reject' && !a.comment.trim() ? TEXT[lang].needsComment : TEXT[lang].incomplete;
          return againWith(req, res, lang, a.token, { csatScore: a.csatScore, comment: a.comment, problem });
        }
        fail(req, res, err, lang);
      }
    },
  );
  return router;
}
