import { createHash } from 'node:crypto';
import {
  circuitBreaker,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleWhen,
  retry,
  TaskCancelledError,
  timeout,
  TimeoutStrategy,
  wrap,
  type IPolicy,
} from 'cockatiel';
import type { Logger } from '../logger';
import type {
  AccountService,
  CallOptions,
  HelpdeskRequest,
  LockStatus,
  LockStatusQuery,
  PasswordResetRequest,
  ResetOutcome,
} from './accountService';

export interface HttpAccountServiceOptions {
  baseUrl: string;
  token: string;
  /** Each attempt's time limit (default 3 s). */
  attemptTimeoutMs?: number;
  /** Retries after the first attempt (default 2), with exponential backoff. */
  retries?: number;
  /** Consecutive failures that open the breaker (default 5)… */
  breakerThreshold?: number;
  /** …and how long it stays open before letting one call through (default 30 s). */
  halfOpenAfterMs?: number;
  logger?: Logger;
  /** Told about each call that failed for good (after retries), for metrics. */
  onFailure?: (action: string) => void;
}

/** A failure worth trying again: the service did not answer, or answered 5xx. */
export class ServiceUnavailable extends Error {
  override name = 'ServiceUnavailable';
}

/** The service refused the request (4xx other than 429): retrying will not help. */
export class ServiceRejected extends Error {
  override name = 'ServiceRejected';
}

type BreakerState = 'closed' | 'open' | 'halfOpen' | 'isolated';

/**
 * The bot's client for the account service contract (api/account-service.v1.yaml): a time limit per
 * attempt, retries with backoff (the POSTs always with the same Idempotency-Key, so a retry is one
 * effect), and a circuit breaker so a dead service is not hammered and turns fail fast.
 */
export class HttpAccountService implements AccountService {
  private readonly policy: IPolicy;
  private readonly breaker;
  private readonly baseUrl: string;

  constructor(private readonly options: HttpAccountServiceOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    const transient = handleWhen((error) => error instanceof ServiceUnavailable || error instanceof TaskCancelledError);
    this.breaker = circuitBreaker(transient, {
      halfOpenAfter: options.halfOpenAfterMs ?? 30_000,
      breaker: new ConsecutiveBreaker(options.breakerThreshold ?? 5),
    });
    const retries = retry(transient, {
      maxAttempts: options.retries ?? 2,
      backoff: new ExponentialBackoff({ initialDelay: 100, maxDelay: 800 }),
    });
    const perAttempt = timeout(options.attemptTimeoutMs ?? 3000, TimeoutStrategy.Aggressive);
    this.policy = wrap(retries, this.breaker, perAttempt);
    this.breaker.onStateChange((state) =>
      options.logger?.warn(
        { breaker: ['closed', 'open', 'halfOpen', 'isolated'][state] },
        'account service breaker changed',
      ),
    );
    retries.onRetry(() => options.logger?.warn('account service call failed; retrying'));
  }

  /** For metrics and health: what the breaker thinks of the service. */
  get breakerState(): BreakerState {
    return (['closed', 'open', 'halfOpen', 'isolated'] as const)[this.breaker.state] ?? 'closed';
  }

  async checkLockStatus(query: LockStatusQuery, options?: Partial<CallOptions>): Promise<LockStatus> {
    const payload = options?.requester ? { ...query, requester: opaque(options.requester) } : query;
    const { status, body, retryAfter } = await this.call('/v1/lock-status', payload, {
      conversationId: options?.conversationId,
      signal: options?.signal,
    });
    if (status === 429) return { status: 'limited', retryAfterSeconds: retryAfter };
    const answer = body as { status: string; lockedUntil?: string };
    if (status === 200 && answer.status === 'locked' && answer.lockedUntil)
      return { status: 'locked', lockedUntil: new Date(answer.lockedUntil) };
    if (status === 200 && (answer.status === 'unlocked' || answer.status === 'unverified'))
      return { status: answer.status };
    throw new ServiceRejected(`lock-status answered ${status}`);
  }

  async requestPasswordReset(request: PasswordResetRequest, options: CallOptions): Promise<ResetOutcome> {
    const { status, retryAfter } = await this.call('/v1/password-resets', request, options);
    if (status === 202) return { status: 'accepted' };
    if (status === 429) return { status: 'limited', retryAfterSeconds: retryAfter };
    throw new ServiceRejected(`password-resets answered ${status}`);
  }

  async createHelpdeskRequest(request: HelpdeskRequest, options: CallOptions): Promise<{ reference: string }> {
    const { status, body } = await this.call('/v1/helpdesk-requests', request, options);
    const reference = (body as { reference?: unknown }).reference;
    if (status === 201 && typeof reference === 'string') return { reference };
    throw new ServiceRejected(`helpdesk-requests answered ${status}`);
  }

  private async call(
    path: string,
    payload: unknown,
    options: { idempotencyKey?: string; conversationId?: string | undefined; signal?: AbortSignal | undefined },
  ): Promise<{ status: number; body: unknown; retryAfter: number }> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      authorization: `Bearer ${this.options.token}`,
    };
    // The same key on every retry: the service then does the work once.
    if (options.idempotencyKey) headers['idempotency-key'] = opaque(options.idempotencyKey);
    if (options.conversationId) headers['conversation-id'] = opaque(options.conversationId);
    // The caller's signal ends the retries too: no attempt starts after the caller has stopped waiting.
    const attempt = this.policy.execute(async ({ signal }) => {
      if (signal.aborted) throw new TaskCancelledError(`${path}: the caller stopped waiting`);
      let response: Response;
      try {
        response = await fetch(`${this.baseUrl}${path}`, {
          method: 'POST',
          headers,
          body: JSON.stringify(payload),
          signal,
        });
      } catch {
        throw new ServiceUnavailable(`no answer from ${path}`);
      }
      // 409: the first request with this key is still being processed; asking again shortly gets its answer.
      if (response.status >= 500 || response.status === 409)
        throw new ServiceUnavailable(`${path} answered ${response.status}`);
      const text = await response.text();
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : {};
      } catch {
        throw new ServiceUnavailable(`${path} answered something other than JSON`);
      }
      return {
        status: response.status,
        body,
        retryAfter: Math.max(1, Number(response.headers.get('retry-after')) || 60),
      };
    }, options.signal);
    return attempt.catch((error: Error) => {
      this.options.onFailure?.(path);
      this.options.logger?.warn({ path, error: error.name }, 'account service call failed');
      throw error;
    });
  }
}

/** Ids the bot derives keys from contain channel conversation ids; the service only ever sees a hash. */
function opaque(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}
