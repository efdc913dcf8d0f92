import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createTranslator } from '../content/i18n';
import type { Content, ContentProblem } from '../content/loadContent';
import { LANGUAGES } from '../dialog/languages';
import { plainSaid, said, type Said, type SaidValues, type StudioWord } from '../dialog/studioWords';
import { ConversationEngine } from '../conversation/engine';
import { languageModelOf } from '../nlu/fromContent';
import { inMemoryAccounts, loadAccounts } from '../referenceService/referenceAccounts';
import { parseScript, runScript } from './conversationScript';
import { accuracy, evaluate, overallTopics, readEvalSet, type Evaluation } from './nluEvaluation';
import { checkSnapshot, type Snapshot } from './snapshot';

/** A reason a draft cannot be published (or a text cannot be saved), pointing at what to change. */
export interface Problem {
  /** "de/lockout.afterWait" for a text; a place in the dialog ("nodes.lockout.say[0]"); or the check's name. */
  field: string;
  /** In English; the API says `says` in the lead's language when there is one. */
  message: string;
  says?: Said;
}

/** What publishing checks besides the content: the conversation tests and the held-out understanding set. */
export interface PublishChecks {
  /** test/conversations: every script runs in all five languages. */
  scriptsDir: string;
  /** test/nlu/eval.yaml: messages the model never learnt from. */
  evalFile: string;
  /** The demo accounts the scripts' ID numbers belong to. */
  accountsFile: string;
  /** How much lower the draft's held-out topic accuracy may be than the live content's (0.02 = 2 points). */
  margin: number;
}

/** The place a content problem is about, in the words the studio shows. */
export function fieldOf(problem: ContentProblem): string {
  if (problem.text) return `${problem.text.language}/${problem.text.key}`;
  const place = /^([\w.[\]-]+): /.exec(problem.message);
  // The examples of a language: "examples.de.topics.lockout[3]".
  const examples = /^dialogs\/understanding\/(\w+)\.yaml$/.exec(problem.file.replace(/\\/g, '/'));
  if (place && examples) return `examples.${examples[1]}.${place[1]}`;
  return place ? place[1]! : problem.file;
}

/** A content problem's message without the place it names first (the field says it). */
function messageOf(problem: ContentProblem): string {
  return problem.text ? problem.message : problem.message.replace(/^[\w.[\]-]+: /, '');
}

export function contentProblems(problems: readonly ContentProblem[]): Problem[] {
  return problems
    .filter((problem) => problem.severity === 'error')
    .map((problem) => ({
      field: fieldOf(problem),
      message: messageOf(problem),
      ...(problem.says ? { says: problem.says } : {}),
    }));
}

/** A problem the studio says with one of its own texts (the message in plain words until it is said). */
export function problemSaying(field: string, key: StudioWord, values?: SaidValues): Problem {
  const says = said(key, values);
  return { field, message: plainSaid(says), says };
}

/** Every check a draft must pass before it goes live; no problems means it may be published. */
export async function checkForPublishing(
  draft: Snapshot,
  live: Content,
  checks: PublishChecks,
): Promise<{ content?: Content; problems: Problem[] }> {
  const { content, problems } = checkSnapshot(draft);
  if (!content) return { problems: contentProblems(problems) };
  const found = [...(await scriptProblems(content, checks)), ...understandingProblems(content, live, checks)];
  return found.length > 0 ? { problems: found } : { content, problems: [] };
}

/** The conversation tests, run against the draft in every language. */
async function scriptProblems(content: Content, checks: PublishChecks): Promise<Problem[]> {
  if (!existsSync(checks.scriptsDir)) return [problemSaying('conversation tests', 'problem.scriptsMissing')];
  const i18n = createTranslator(content);
  const accounts = loadAccounts(checks.accountsFile);
  const problems: Problem[] = [];
  for (const file of readdirSync(checks.scriptsDir)
    .filter((name) => name.endsWith('.yaml'))
    .sort()) {
    let script;
    try {
      script = parseScript(readFileSync(path.join(checks.scriptsDir, file), 'utf8'), file);
    } catch (error) {
      problems.push({ field: `conversation test ${file}`, message: (error as Error).message });
      continue;
    }
    for (const language of LANGUAGES) {
      const engine = new ConversationEngine({ content, i18n, accountService: inMemoryAccounts(accounts) });
      const failed = (await runScript(engine, i18n, script, language)).find((report) => report.failures.length > 0);
      if (failed)
        problems.push(
          problemSaying(`conversation test ${file} (${language})`, 'problem.scriptFails', {
            description: script.description,
            step: failed.step,
            failures: failed.says,
            state: String(failed.result?.trace.state),
          }),
        );
    }
  }
  return problems;
}

/** The draft's model must understand the held-out messages about as well as the live content's model. */
function understandingProblems(content: Content, live: Content, checks: PublishChecks): Problem[] {
  if (!existsSync(checks.evalFile)) return [problemSaying('understanding check', 'problem.evalMissing')];
  const set = readEvalSet(checks.evalFile);
  const before = evaluate(languageModelOf(live), set);
  const after = evaluate(languageModelOf(content), set);
  const problems: Problem[] = [];
  const compare = (language: string | undefined, was: number, is: number, misses: Said[]) => {
    const values = { draft: percent(is), live: percent(was), misses: misses.slice(0, 5) };
    if (is < was - checks.margin)
      problems.push(
        language
          ? problemSaying('understanding check', 'problem.understoodLess', { language, ...values })
          : problemSaying('understanding check', 'problem.understoodLessOverall', values),
      );
  };
  compare(undefined, accuracy(overallTopics(before)), accuracy(overallTopics(after)), newMisses(before, after));
  for (const language of LANGUAGES)
    compare(
      language,
      accuracy(before.topics[language]),
      accuracy(after.topics[language]),
      newMisses(before, after, language),
    );
  return problems;
}

function newMisses(before: Evaluation, after: Evaluation, only?: string): Said[] {
  const wrongBefore = new Set(
    overallTopics(before)
      .answers.filter((answer) => answer.got !== answer.expected)
      .map((answer) => answer.text),
  );
  const languages = only ? LANGUAGES.filter((language) => language === only) : LANGUAGES;
  return languages
    .flatMap((language) => after.topics[language].answers)
    .filter((answer) => answer.got !== answer.expected && !wrongBefore.has(answer.text))
    .map((answer) => said('problem.takenFor', { message: answer.text, topic: answer.got.replace(/^topic:/, '') }));
}

function percent(value: number): string {
  return `${Math.round(value * 1000) / 10} %`;
}
