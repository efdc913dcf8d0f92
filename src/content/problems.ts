import { plainSaid, said, type Said, type SaidValues, type StudioWord } from '../dialog/studioWords';

/** Rules the content checker applies; each problem names one, so people (and tests) know which check spoke. */
export type Rule =
  | 'yaml-syntax'
  | 'json-syntax'
  | 'missing-file'
  | 'schema'
  | 'unknown-target'
  | 'duplicate-choice'
  | 'duplicate-button'
  | 'unreachable'
  | 'dead-end'
  | 'unknown-action'
  | 'missing-outcome'
  | 'unknown-outcome'
  | 'missing-input'
  | 'duplicate-slot'
  | 'unknown-validator'
  | 'inconsistent-validator'
  | 'missing-edit-label'
  | 'bad-pattern'
  | 'unsafe-pattern'
  | 'missing-text'
  | 'missing-translation'
  | 'unused-text'
  | 'empty-text'
  | 'not-text'
  | 'placeholders'
  | 'unknown-placeholder'
  | 'plural-forms'
  | 'untranslated'
  | 'bad-url'
  | 'few-examples'
  | 'conflicting-example'
  | 'off-topic-collision'
  | 'glossary';

export interface ContentProblem {
  file: string;
  line?: number;
  column?: number;
  rule: Rule;
  /** Errors stop the bot from starting; warnings are shown and let it start. */
  severity: 'error' | 'warning';
  /** What is wrong and how to fix it, in plain words (in English; from the content's texts when `says` is set). */
  message: string;
  /** The studio's text that says it, so a lead reads it in the page's language. */
  says?: Said;
  /** The place in the file the message names first ("nodes.lockout.say[0]"), when it is said by `says`. */
  place?: string;
  /** The text the problem is about, when it is about one text in one language (the studio points at it). */
  text?: { language: string; key: string };
}

export class ContentError extends Error {
  constructor(readonly problems: ContentProblem[]) {
    const errors = problems.filter((problem) => problem.severity === 'error');
    super(`The dialog content has ${errors.length} error(s):\n${problems.map(formatProblem).join('\n')}`);
    this.name = 'ContentError';
  }
}

export function formatProblem(problem: ContentProblem): string {
  const where = problem.line ? `${problem.file}:${problem.line}:${problem.column ?? 1}` : problem.file;
  return `  ${where}  ${problem.severity === 'warning' ? 'warning ' : ''}[${problem.rule}] ${problem.message}`;
}

/** A problem the studio's text says; its message is the key and values until the content's English is read. */
export function saying(key: StudioWord, values?: SaidValues): Pick<ContentProblem, 'says' | 'message'> {
  const says = said(key, values);
  return { says, message: plainSaid(says) };
}
