import path from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from '../src/config';
import { LANGUAGES, type Language } from '../src/dialog/languages';
import { loadContent } from '../src/content/loadContent';
import { interpret } from '../src/conversation/understand';
import { LanguageModel } from '../src/nlu/model';
import { trainingDataOf } from '../src/nlu/fromContent';
import {
  accuracy,
  EVAL_FILE,
  evaluate,
  GROUPS,
  readEvalSet,
  TARGETS,
  unevaluatedTopics,
  type Group,
  type Score,
} from './nluEvaluation';

/**
 * `npm run nlu:eval`: how well the bot understands messages it has never seen. Trains the model from the
 * content exactly as the bot does, then reads the held-out set in test/nlu/eval.yaml (never used for training).
 */
const { values } = parseArgs({
  options: { content: { type: 'string', default: PROJECT_ROOT }, eval: { type: 'string', default: EVAL_FILE } },
});
const evalSet = readEvalSet(path.resolve(values.eval));
const content = loadContent(path.resolve(values.content));
const data = trainingDataOf(content);
const trainingStarted = performance.now();
const model = LanguageModel.train(data);
const trainingMs = performance.now() - trainingStarted;
const evaluation = evaluate(model, evalSet);
const out: string[] = [];
const percent = (part: number, whole: number) => `${((100 * part) / whole).toFixed(1)} %`;
const verdict = (met: boolean) => (met ? 'target met' : 'TARGET MISSED');
const counts = ({ right, total }: Score) =>
  `${String(right).padStart(3)}/${total}  ${percent(right, total).padStart(7)}`;
const topicOf = (label: string) => label.replace(/^topic:/, '');

const trainingExamples = Object.values(data.examples).reduce(
  (sum, examples) =>
    sum + [...Object.values(examples.topics), ...Object.values(examples.moves), examples.none].flat().length,
  0,
);
out.push(`Trained on ${trainingExamples} examples in ${trainingMs.toFixed(0)} ms.`, '');

// Topics: top-1 accuracy per language, and what the bot would do with each message.
out.push(`Topic, top-1 on held-out messages (target ≥ ${TARGETS.topicAccuracy * 100} % in every language):`);
// Every topic the held-out set names, in any language (a new topic's messages are counted as soon as written).
const topics = [...new Set(LANGUAGES.flatMap((language) => Object.keys(evalSet.topics[language] ?? {})))];
const confusion = new Map<string, Map<string, number>>(topics.map((topic) => [topic, new Map()]));
const decisions = { acted: 0, clarified: 0, missed: 0, wrong: 0 };
let allTopicsMet = true;
for (const language of LANGUAGES) {
  const score = evaluation.topics[language];
  const misses: string[] = [];
  for (const { text, expected, got } of score.answers) {
    const topic = topicOf(expected);
    const predicted = topicOf(got);
    const row = confusion.get(topic)!;
    row.set(predicted, (row.get(predicted) ?? 0) + 1);
    if (got !== expected) misses.push(`      ${topic} → ${predicted}: ${text}`);
    const decision = interpret(model, text);
    if (decision.kind === 'topic') decisions[decision.node === topic ? 'acted' : 'wrong']++;
    else if (decision.kind === 'clarify' && decision.nodes.includes(topic)) decisions.clarified++;
    else if (decision.kind === 'clarify' || decision.kind === 'none') decisions.missed++;
    else decisions.wrong++;
  }
  const met = accuracy(score) >= TARGETS.topicAccuracy;
  allTopicsMet &&= met;
  out.push(`  ${language}  ${counts(score)}  ${verdict(met)}`, ...misses);
}
const decided = Object.values(decisions).reduce((sum, count) => sum + count, 0);
out.push(
  '',
  `What the bot does with these ${decided} messages: ` +
    `goes to the right topic ${percent(decisions.acted, decided)}, ` +
    `asks "did you mean" with the right one among the choices ${percent(decisions.clarified, decided)}, ` +
    `says it did not understand ${percent(decisions.missed, decided)}, ` +
    `goes somewhere wrong ${percent(decisions.wrong, decided)}.`,
  '',
);

// Confusion matrix: rows are the true topic, columns what the model said.
const columns = [...new Set([...topics, ...[...confusion.values()].flatMap((row) => [...row.keys()])])];
const width = Math.max(...columns.map((column) => column.length), 12);
out.push('Confusion matrix, all languages (rows: the real topic, columns: the model’s answer):');
out.push(`  ${''.padEnd(width)} ${columns.map((column) => ` ${column.slice(0, 14).padStart(14)}`).join('')}`);
for (const topic of topics) {
  const cells = columns.map((column) => String(confusion.get(topic)!.get(column) ?? '·').padStart(15));
  out.push(`  ${topic.padEnd(width)} ${cells.join('')}`);
}
out.push('');

// Moves, the handover and things the bot should not take for a topic.
out.push('Moves, "talk to a person", "thanks" and off-topic messages, top-1:');
for (const language of LANGUAGES)
  out.push(
    `  ${language}  ${counts(evaluation.moves[language])}`,
    ...evaluation.moves[language].answers
      .filter(({ expected, got }) => got !== expected)
      .map(({ text, expected, got }) => `      ${topicOf(expected)} → ${topicOf(got)}: ${text}`),
  );
out.push('');

// Topics of the content with no held-out message in a language: how well they are understood is not known.
const unevaluated = unevaluatedTopics(
  evalSet,
  Object.fromEntries(
    LANGUAGES.map((language) => [language, Object.keys(content.examples.byLanguage[language].topics)]),
  ) as Record<Language, string[]>,
);
out.push(
  unevaluated.length === 0
    ? 'Every topic of the content has held-out messages in every language.'
    : `Topics with no held-out messages (write some in ${path.relative(PROJECT_ROOT, path.resolve(values.eval))}, ` +
        'see CONTENT.md)  NOT EVALUATED',
  ...unevaluated.map(({ topic, languages }) => `  ${topic}: ${languages.join(', ')}`),
  '',
);

// What candidates really type, group by group: the model's top-1, and what the bot does (acts on it at once).
out.push('What candidates really type, per group and language (top-1; then how often the bot acts on it at once):');
let offTopicMet = true;
for (const group of Object.keys(GROUPS) as Group[]) {
  const target = group === 'offTopic' ? ` (target ≥ ${TARGETS.offTopicRecognised * 100} %)` : '';
  out.push(`  ${group} → ${GROUPS[group]}${target}`);
  for (const language of LANGUAGES) {
    const score = evaluation.groups[group][language];
    const acted = score.answers.filter(({ text, expected }) => {
      const decision = interpret(model, text);
      const intent =
        decision.kind === 'topic' ? `topic:${decision.node}` : decision.kind === 'move' ? `move:${decision.move}` : '';
      return intent === expected;
    }).length;
    const met = group !== 'offTopic' || accuracy(score) >= TARGETS.offTopicRecognised;
    if (group === 'offTopic') offTopicMet &&= met;
    out.push(
      `    ${language}  ${counts(score)}   acted ${percent(acted, score.total).padStart(7)}` +
        (group === 'offTopic' ? `  ${verdict(met)}` : ''),
      ...score.answers
        .filter(({ expected, got }) => got !== expected)
        .map(({ text, got }) => `        → ${topicOf(got)}: ${text}`),
    );
  }
}
out.push('');

// Junk and mixed-language lines must leave the conversation in its language.
out.push(
  'Junk and mixed-language lines: the conversation stays in its language (target: no switch); ' +
    'and none gets the "I only speak …" reply:',
);
let junkMet = true;
for (const language of LANGUAGES) {
  const score = evaluation.junk[language];
  const switched = score.answers.filter(({ got }) => got.startsWith('switched')).length;
  const unsupported = score.answers.filter(({ got }) => got.endsWith('(unsupported)')).length;
  junkMet &&= switched === 0 && unsupported === 0;
  out.push(
    `  ${language}  switched ${switched}/${score.total}, "I only speak …" ${unsupported}/${score.total}  ` +
      verdict(switched === 0 && unsupported === 0),
    ...score.answers.filter(({ expected, got }) => got !== expected).map(({ text, got }) => `      ${got}: ${text}`),
  );
}
out.push('');

// Messages in other languages get the "I only speak …" reply, in a conversation in any of the five.
const otherLanguagesMet = accuracy(evaluation.otherLanguages) >= TARGETS.otherLanguageRecognised;
out.push(
  `Messages in other languages answered with "I only speak …" (each in a conversation in each of the five; ` +
    `target ≥ ${TARGETS.otherLanguageRecognised * 100} %): ${counts(evaluation.otherLanguages).trim()}  ` +
    verdict(otherLanguagesMet),
  ...evaluation.otherLanguages.answers
    .filter(({ expected, got }) => got !== expected)
    .map(({ text, got }) => `      ${got}: ${text}`),
  '',
);

// Language detection without a locale, on messages of four words or more.
const languageMet = accuracy(evaluation.languages) >= TARGETS.languageAccuracy;
const languageMisses = evaluation.languages.answers.filter(({ expected, got }) => got !== expected);
out.push(
  `Language of a message, ${TARGETS.languageMinWords} words or more, five languages and others ` +
    `(target ≥ ${TARGETS.languageAccuracy * 100} %): ${counts(evaluation.languages).trim()}  ${verdict(languageMet)}`,
  ...languageMisses.map(({ text, expected, got }) => `      ${expected} → ${got}: ${text}`),
  '',
);

// Latency: everything the bot does with one message's text (intent, decision, language).
const texts = [
  ...Object.values(evalSet.topics).flatMap((byTopic) => Object.values(byTopic).flat()),
  ...evalSet.languages.map((entry) => entry.text),
];
for (const text of texts) interpret(model, text);
const timings: number[] = [];
for (let pass = 0; pass < 5; pass++) {
  for (const text of texts) {
    const started = performance.now();
    interpret(model, text);
    model.detectLanguage(text);
    timings.push(performance.now() - started);
  }
}
timings.sort((a, b) => a - b);
const mean = timings.reduce((sum, ms) => sum + ms, 0) / timings.length;
const p99 = timings[Math.floor(timings.length * 0.99)]!;
const median = timings[timings.length >> 1]!;
out.push(
  `Per message (intent + decision + language), ${timings.length} runs: ` +
    `mean ${mean.toFixed(3)} ms, median ${median.toFixed(3)} ms, p99 ${p99.toFixed(3)} ms ` +
    `(target ≤ ${TARGETS.msPerMessage} ms)  ${verdict(mean <= TARGETS.msPerMessage)}`,
);
process.stdout.write(`${out.join('\n')}\n`);
process.exitCode =
  allTopicsMet && languageMet && offTopicMet && junkMet && otherLanguagesMet && unevaluated.length === 0 ? 0 : 1;
