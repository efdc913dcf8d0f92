import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createTranslator } from '../../src/content/i18n';
import type { Language } from '../../src/dialog/languages';
import { content, ROOT } from './helpers';

/** How long the demo's locked account is locked for, from the moment its service starts. */
export const DEMO_LOCK_MINUTES = (
  JSON.parse(readFileSync(path.join(ROOT, 'demo', 'accounts.json'), 'utf8')) as Array<{ lockedForMinutes?: number }>
).find((account) => account.lockedForMinutes)!.lockedForMinutes!;

/**
 * Reads "locked until T, in N minutes" back out of a reply, by the message's own template in the content; with no
 * time zone from the channel the reply says only "for N more minutes" (`lockedUntil` is then absent).
 */
export function readLockMessage(text: string, language: Language): { lockedUntil?: string; minutes: number } {
  const t = createTranslator(content()).getFixedT(language);
  for (const [count, context] of [
    [99, 'inMinutes'],
    [1, 'inMinutes'],
  ] as const) {
    const pattern = t('lockoutLocked.body', { count, context })
      .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      .replace(String(count), '(\\d+)');
    const match = new RegExp(pattern).exec(text);
    if (match) return { minutes: Number(match[1]) };
  }
  // One template per plural form: "1 minute", "99 minutes".
  for (const count of [1, 99]) {
    const pattern = t('lockoutLocked.body', { lockedUntil: 'LOCKED-UNTIL', count })
      .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      .replace('LOCKED-UNTIL', '(.+?)')
      .replace(String(count), '(\\d+)');
    const match = new RegExp(pattern).exec(text);
    if (match) return { lockedUntil: match[1]!, minutes: Number(match[2]) };
  }
  throw new Error(`No lock message in: ${text}`);
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
