import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import restify, { type Next, type Request, type Response, type Server } from 'restify';
import { z } from 'zod';
import { LANGUAGES } from '../dialog/languages';
import type { Logger } from '../logger';
import { IdempotencyKeyInProgress, IdempotencyKeyReused, type ReferenceAccounts } from './referenceAccounts';
import { readJsonBody } from '../http/jsonBody';

export interface AccountServiceServerOptions {
  accounts: ReferenceAccounts;
  /** The bearer token callers must present (compared in constant time). */
  token: string;
  logger: Logger;
}

const idNumber = z
  .string()
  .min(1)
  .max(32)
  .regex(/^[A-Z0-9]+$/, 'letters A-Z and digits only');
const secretNumber = z
  .string()
  .min(1)
  .max(16)
  .regex(/^[0-9]+$/, 'digits only');

/** Request bodies as api/account-service.v1.yaml describes them (the contract tests hold both to it). */
const bodies = {
  lockStatus: z.strictObject({
    idNumber,
    secretNumber,
    requester: z
      .string()
      .min(8)
      .max(100)
      .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only')
      .optional(),
  }),
  passwordReset: z.strictObject({ idNumber }),
  helpdeskRequest: z.strictObject({
    fullName: z.string().min(1).max(200),
    exam: z.string().min(1).max(200),
    examDate: z.iso.date(),
    centreName: z.string().min(1).max(200),
    email: z.email().max(254),
    idNumber,
    secretNumber,
    locale: z.enum(LANGUAGES),
  }),
  signIn: z.strictObject({ idNumber, password: z.string().min(1).max(200) }),
};

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:|-]{8,200}$/;

function problem(
  res: Response,
  status: number,
  error: string,
  message: string,
  extra: Record<string, string> = {},
): void {
  res.send(status, { error, ...extra, message });
}

/** The reference account service over HTTP, implementing the v1 contract. */
export function createAccountServiceServer(options: AccountServiceServerOptions): Server {
  const { accounts, logger } = options;
  const expected = createHash('sha256').update(`Bearer ${options.token}`).digest();
  const server = restify.createServer({ name: 'account-service', handleUncaughtExceptions: false });
  // Bodies carry secret numbers: what a key is bound to is hashed with a key of the service's own.
  const requestHashKey = createHash('sha256').update(`idempotency:${options.token}`).digest();
  /** What an idempotency key is bound to: this endpoint and this body, whatever its key order or spacing. */
  const requestOf = (path: string, body: Record<string, unknown>) =>
    `${path}:${createHmac('sha256', requestHashKey)
      .update(JSON.stringify(body, Object.keys(body).sort()))
      .digest('base64url')}`;

  const authenticate = (req: Request, res: Response, next: Next) => {
    const given = createHash('sha256')
      .update(req.header('authorization') ?? '')
      .digest();
    if (!timingSafeEqual(given, expected)) {
      problem(res, 401, 'unauthorized', 'Send Authorization: Bearer <token>.');
      return next(false);
    }
    return next();
  };

  function parse<T>(schema: z.ZodType<T>, req: Request, res: Response): T | undefined {
    const parsed = schema.safeParse(req.body);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.') || (issue.code === 'unrecognized_keys' ? issue.keys.join(',') : 'body');
    problem(res, 400, 'invalid_body', `"${field}": ${issue.message}`, { field });
    return undefined;
  }

  function idempotencyKey(req: Request, res: Response): string | undefined {
    const key = req.header('idempotency-key');
    if (key && IDEMPOTENCY_KEY.test(key)) return key;
    problem(
      res,
      400,
      'missing_idempotency_key',
      'Send an Idempotency-Key header (8-200 letters, digits or . _ : | -).',
    );
    return undefined;
  }

  const conversationOf = (req: Request) => {
    const id = req.header('conversation-id');
    return id && id.length <= 200 ? id : undefined;
  };

  const limited = (res: Response, retryAfterSeconds: number) => {
    res.header('Retry-After', String(retryAfterSeconds));
    problem(res, 429, 'rate_limited', `Too many requests; try again in ${retryAfterSeconds} seconds.`);
  };

  /** Wraps a route so a failure is logged and answered with a generic 500, never with exception text. */
  const route = (handler: (req: Request, res: Response) => Promise<void>) => async (req: Request, res: Response) => {
    try {
      await handler(req, res);
    } catch (error) {
      if (error instanceof IdempotencyKeyReused)
        return problem(
          res,
          422,
          'idempotency_key_reused',
          'This Idempotency-Key was used for another request (another body or endpoint); send a new key.',
        );
      if (error instanceof IdempotencyKeyInProgress) {
        res.header('Retry-After', '1');
        return problem(res, 409, 'idempotency_key_in_progress', 'The first request with this key is still running.');
      }
      logger.error({ err: error, route: req.getRoute()?.path }, 'account service request failed');
      if (!res.headersSent) problem(res, 500, 'internal_error', 'The account service could not process this request.');
    }
  };

  const body = readJsonBody(64 * 1024);
  /** Every contract call: bearer token, then the JSON body, then the handler. */
  const post = (path: string, handler: (req: Request, res: Response) => Promise<void>) =>
    server.post(path, authenticate, body, route(handler));

  post('/v1/lock-status', async (req, res) => {
    const parsed = parse(bodies.lockStatus, req, res);
    if (!parsed) return;
    const { requester, ...query } = parsed;
    const conversationId = conversationOf(req);
    const status = await accounts.checkLockStatus(query, {
      ...(conversationId ? { conversationId } : {}),
      ...(requester ? { requester } : {}),
    });
    if (status.status === 'limited') return limited(res, status.retryAfterSeconds);
    res.send(
      200,
      status.status === 'locked'
        ? { status: 'locked', lockedUntil: status.lockedUntil.toISOString() }
        : { status: status.status },
    );
  });

  post('/v1/password-resets', async (req, res) => {
    const key = idempotencyKey(req, res);
    const request = key && parse(bodies.passwordReset, req, res);
    if (!key || !request) return;
    const conversationId = conversationOf(req);
    const outcome = await accounts.requestPasswordReset(request, {
      idempotencyKey: key,
      request: requestOf('/v1/password-resets', request),
      ...(conversationId ? { conversationId } : {}),
    });
    if (outcome.status === 'limited') return limited(res, outcome.retryAfterSeconds);
    res.send(202, { status: 'accepted' });
  });

  post('/v1/helpdesk-requests', async (req, res) => {
    const key = idempotencyKey(req, res);
    const request = key && parse(bodies.helpdeskRequest, req, res);
    if (!key || !request) return;
    const call = { idempotencyKey: key, request: requestOf('/v1/helpdesk-requests', request) };
    res.send(201, await accounts.createHelpdeskRequest(request, call));
  });

  post('/v1/sign-in', async (req, res) => {
    const request = parse(bodies.signIn, req, res);
    if (!request) return;
    res.send(200, { result: await accounts.signIn(request.idNumber, request.password) });
  });

  server.get('/healthz', (_req: Request, res: Response, next: Next) => {
    res.send(200, { status: 'ok' });
    return next();
  });

  return server;
}
