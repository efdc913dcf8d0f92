import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** What the bot reports for /metrics (Prometheus). */
export class Metrics {
  readonly registry = new Registry();
  readonly turnSeconds = new Histogram({
    name: 'helpdesk_turn_duration_seconds',
    help: 'Time from receiving an activity to having answered it',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly turns = new Counter({
    name: 'helpdesk_turns_total',
    help: 'Turns answered, by topic and language',
    labelNames: ['topic', 'language'],
    registers: [this.registry],
  });
  readonly duplicates = new Counter({
    name: 'helpdesk_duplicate_activities_total',
    help: 'Redelivered activities acknowledged without processing',
    registers: [this.registry],
  });
  readonly stateErrors = new Counter({
    name: 'helpdesk_state_errors_total',
    help: 'Turns that could not reach the conversation state or the turn queue',
    labelNames: ['kind'],
    registers: [this.registry],
  });
  readonly accountServiceErrors = new Counter({
    name: 'helpdesk_account_service_errors_total',
    help: 'Account-service calls that failed after retries',
    labelNames: ['action'],
    registers: [this.registry],
  });
  /** Read when scraped; set by watchBreaker. */
  private breaker: () => string = () => 'closed';
  readonly breakerState = new Gauge({
    name: 'helpdesk_account_service_breaker_state',
    help: 'Circuit breaker towards the account service: 0 closed, 1 half-open, 2 open',
    registers: [this.registry],
    collect: () => {
      const current = this.breaker();
      this.breakerState.set(current === 'open' || current === 'isolated' ? 2 : current === 'halfOpen' ? 1 : 0);
    },
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'helpdesk_' });
  }

  watchBreaker(state: () => string): void {
    this.breaker = state;
  }
}
