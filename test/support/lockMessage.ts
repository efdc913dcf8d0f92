import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createTranslator } from '../../src/content/i18n';
import type { Language } from '../../src/dialog/languages';
import { content, ROOT } from './helpers';

/** How long the demo's locked account is locked for, from the moment its service starts. */
export const DEMO_LOCK_MINUTES = (JSON.parse(readFileSync(path.join(ROOT, 'demo', 'accounts.json'), 'utf8')) as Array<{ lockedForMinutes?: number }>).find(
  (account) => account.lockedForMinutes,
)!.lockedForMinutes!;

/** Reads "locked until T, in N minutes" back out of a reply, by the message's own template in the content. */
export function readLockMessage(text: string, language: Language): { lockedUntil: string; minutes: number } {
  const rendered = createTranslator(content()).getFixedT(language)('lockoutLocked.body', { lockedUntil: 'LOCKED-UNTIL', count: 99 });
  const pattern = rendered
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace('LOCKED-UNTIL', '(.+?)')
    .replace('99', '(\\d+)');
  const match = new RegExp(pattern).exec(text);
  if (!match) throw new Error(`No lock message in: ${text}`);
  return { lockedUntil: match[1]!, minutes: Number(match[2]) };
}

/**
 * The minutes a reply may say are left on a lock of `lockMinutes` that started at some moment between
 * `startedAfter` and now: no more than the whole lock, no fewer than what is left if it started first thing.
 */
export function expectMinutesLeft(minutes: number, lockMinutes: number, startedAfter: number): void {
  const elapsedMinutes = Math.ceil((Date.now() - startedAfter) / 60_000);
  expect(minutes).toBeLessThanOrEqual(lockMinutes);
  expect(minutes).toBeGreaterThanOrEqual(lockMinutes - elapsedMinutes);
}
