import type { i18n } from 'i18next';
import { createTranslator } from '../content/i18n';
import type { Content } from '../content/loadContent';
import type { AccountService } from '../accountService/accountService';
import { ConversationEngine } from './engine';
import type { SlotSeal } from './sealedSlots';

/** Everything built from one version of the content; replaced as a whole when the content is reloaded. */
export interface Runtime {
  content: Content;
  i18n: i18n;
  engine: ConversationEngine;
}

export function buildRuntime(
  content: Content,
  accountService: AccountService,
  options: { now?: () => Date; serviceTimeoutMs?: number; seal?: SlotSeal } = {},
): Runtime {
  const i18n = createTranslator(content);
  return { content, i18n, engine: new ConversationEngine({ content, i18n, accountService, ...options }) };
}
