import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { Language } from '../../src/dialog/languages';
import { ROOT } from './helpers';

/** The menu topic a lead adds in the tests (test/studio/newTopic.yaml): its texts and examples in five languages. */
export interface NewTopic {
  id: string;
  texts: Record<string, Record<Language, string>>;
  examples: Record<Language, string[]>;
}

export const newTopic = (): NewTopic =>
  parse(readFileSync(path.join(ROOT, 'test', 'studio', 'newTopic.yaml'), 'utf8')) as NewTopic;
