import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Content } from '../../src/content/loadContent';
import { LANGUAGES, type Language } from '../../src/dialog/languages';
import { languageModelOf } from '../../src/nlu/fromContent';

/** Ways a candidate might say an English message, to teach a topic that message. */
const SAYINGS = [
  (message: string) => `help, ${message}`,
  (message: string) => `${message} please`,
  (message: string) => `${message} today`,
  (message: string) => `hello, ${message}`,
  (message: string) => `${message}, what do I do`,
  (message: string) => `sorry, ${message}`,
  (message: string) => `${message} again`,
  (message: string) => `hi, ${message}`,
];

/**
 * The examples, in five languages, of a new topic that takes an English message from the topic it is an example
 * of (`owner`), chosen with the model the content teaches so that it does by construction, not by luck: the
 * owner's examples with a word added in every language, and ways of saying the message, as many as the model
 * needs to place the message in the new topic with a clear margin. `content` is the content with the message
 * among the owner's examples; the model must place it there before the new topic exists.
 */
export function capturingExamples(
  content: Content,
  owner: string,
  message: string,
  topic: string,
): Record<Language, string[]> {
  const withTopic = (examples: Record<Language, string[]>): Content =>
    LANGUAGES.reduce((changed, language) => withExamples(changed, language, topic, examples[language]), content);
  const top = (model: ReturnType<typeof languageModelOf>) => model.rankIntents(message);
  const before = top(languageModelOf(content))[0]?.label;
  if (before !== `topic:${owner}`) throw new Error(`the model places "${message}" in ${before}, not in ${owner}`);

  const like = (language: Language) =>
    content.examples.byLanguage[language].topics[owner]!.filter((text) => text !== message).map((text) => `${text} ok`);
  const examples = Object.fromEntries(LANGUAGES.map((language) => [language, like(language)])) as Record<
    Language,
    string[]
  >;
  for (let sayings = 2; sayings <= SAYINGS.length; sayings += 2) {
    examples.en = [...like('en'), ...SAYINGS.slice(0, sayings).map((say) => say(message))];
    const [first, second] = top(languageModelOf(withTopic(examples)));
    if (first?.label === `topic:${topic}` && first.p >= 2 * (second?.p ?? 0)) return examples;
  }
  throw new Error(`no examples of ${topic} take "${message}" from ${owner} in the model the content teaches`);
}

/** The content with a topic's examples in a language set (the topic is added when it has none). */
export function withExamples(content: Content, language: Language, topic: string, examples: string[]): Content {
  const byLanguage = { ...content.examples.byLanguage };
  byLanguage[language] = { ...byLanguage[language], topics: { ...byLanguage[language].topics, [topic]: examples } };
  return { ...content, examples: { ...content.examples, byLanguage } };
}

/**
 * `capturingExamples` for the content of the project with the message taught to the owner in English (`taught`:
 * the owner's English examples with it), found in a process of its own so a server running in the test's process
 * keeps answering meanwhile.
 */
export function capturingTopic(
  owner: string,
  message: string,
  topic: string,
  taught: string[],
): Promise<Record<Language, string[]>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'capturingTopicProcess.ts')], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    let errors = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (errors += chunk));
    child.stdin.end(JSON.stringify({ owner, message, topic, taught }));
    child.once('exit', (code) =>
      code === 0 ? resolve(JSON.parse(output) as Record<Language, string[]>) : reject(new Error(errors)),
    );
  });
}
