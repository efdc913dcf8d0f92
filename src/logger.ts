import pino, { type Logger } from 'pino';

/** Fields that may carry secrets; pino replaces them wherever they appear in a log entry. */
const REDACT = [
  'password',
  'secretNumber',
  'idNumber',
  'text',
  'token',
  'authorization',
  '*.password',
  '*.secretNumber',
  '*.idNumber',
  '*.text',
  '*.token',
  '*.authorization',
  'req.headers.authorization',
];

export function createLogger(level: string = 'info'): Logger {
  return pino({ level, base: { service: 'helpdesk-bot' }, redact: { paths: REDACT, censor: '[redacted]' } });
}

export type { Logger };
