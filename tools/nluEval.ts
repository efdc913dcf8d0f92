import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../src/config';
import { LANGUAGES, type Language } from '../src/dialog/languages';
import { loadContent } from '../src/content/loadContent';
import { interpret, wordCount } from '../src/conversation/understand';
import { MOVES } from '../src/dialog/moves';
import { LanguageModel } from '../src/nlu/model';
import { trainingDataOf } from '../src/nlu/fromContent';

/**
 * `npm run nlu:eval`: how well the bot understands messages it has never seen. Trains the model from the
 * content exactly as the bot does, then reads the held-out set in test/nlu/eval.yaml (never used for training).
 */
const TARGETS = { topicAccuracy: 0.95, languageAccuracy: 0.97, msPerMessage: 1 };
const EVAL_FILE = path.join(PROJECT_ROOT, 'test', 'nlu', 'eval.yaml');

interface EvalSet {
  topics: Record<Language, Record<string, string[]>>;
  moves: Record<Language, Record<string, string[]>>;
  languages: Array<{ text: string; language: Language | 'other' }>;
}

const evalSet = parse(readFileSync(EVAL_FILE, 'utf8')) as EvalSet;
const data = trainingDataOf(loadContent(PROJECT_ROOT));
const trainingStarted = performance.now();
const model = LanguageModel.train(data);
const trainingMs = performance.now() - trainingStarted;
const out: string[] = [];
const percent = (part: number, whole: number) => `${((100 * part) / whole).toFixed(1)} %`;
const verdict = (met: boolean) => (met ? 'target met' : 'TARGET MISSED');
const best = (text: string) => model.rankIntents(text)[0]!.label;

out.push(`Trained on ${Object.values(data.examples).reduce((sum, examples) => sum + [...Object.values(examples.topics), ...Object.values(examples.moves), examples.none].flat().length, 0)} examples in ${trainingMs.toFixed(0)} ms.`, '');

// Topics: top-1 accuracy per language, and what the bot would do with each message.
out.push('Topic, top-1 on held-out messages (target ≥ 95 % in every language):');
const topics = Object.keys(evalSet.topics.en);
const confusion = new Map<string, Map<string, number>>(topics.map((topic) => [topic, new Map()]));
const decisions = { acted: 0, clarified: 0, missed: 0, wrong: 0 };
let allTopicsMet = true;
for (const language of LANGUAGES) {
  let right = 0;
  let total = 0;
  const misses: string[] = [];
  for (const [topic, texts] of Object.entries(evalSet.topics[language])) {
    for (const text of texts) {
      total++;
      const label = best(text);
      const predicted = label.replace(/^topic:/, '');
      const row = confusion.get(topic)!;
      row.set(predicted, (row.get(predicted) ?? 0) + 1);
      if (label === `topic:${topic}`) right++;
      else misses.push(`      ${topic} → ${predicted}: ${text}`);
      const decision = interpret(model, text);
      if (decision.kind === 'topic') decisions[decision.node === topic ? 'acted' : 'wrong']++;
      else if (decision.kind === 'clarify' && decision.nodes.includes(topic)) decisions.clarified++;
      else if (decision.kind === 'clarify' || decision.kind === 'none') decisions.missed++;
      else decisions.wrong++;
    }
  }
  const met = right / total >= TARGETS.topicAccuracy;
  allTopicsMet &&= met;
  out.push(`  ${language}  ${String(right).padStart(3)}/${total}  ${percent(right, total).padStart(7)}  ${verdict(met)}`, ...misses);
}
const decided = Object.values(decisions).reduce((sum, count) => sum + count, 0);
out.push(
  '',
  `What the bot does with these ${decided} messages: goes to the right topic ${percent(decisions.acted, decided)}, asks "did you mean" with the right one among the choices ${percent(decisions.clarified, decided)}, says it did not understand ${percent(decisions.missed, decided)}, goes somewhere wrong ${percent(decisions.wrong, decided)}.`,
  '',
);

// Confusion matrix: rows are the true topic, columns what the model said.
const columns = [...new Set([...topics, ...[...confusion.values()].flatMap((row) => [...row.keys()])])];
const width = Math.max(...columns.map((column) => column.length), 12);
out.push('Confusion matrix, all languages (rows: the real topic, columns: the model’s answer):');
out.push(`  ${''.padEnd(width)} ${columns.map((column) => ` ${column.slice(0, 14).padStart(14)}`).join('')}`);
for (const topic of topics) {
  out.push(`  ${topic.padEnd(width)} ${columns.map((column) => String(confusion.get(topic)!.get(column) ?? "·").padStart(15)).join('')}`);
}
out.push('');

// Moves, the handover and things the bot should not take for a topic.
out.push('Moves, "talk to a person", "thanks" and off-topic messages, top-1:');
for (const language of LANGUAGES) {
  let right = 0;
  let total = 0;
  for (const [name, texts] of Object.entries(evalSet.moves[language])) {
    const expected = (MOVES as readonly string[]).includes(name) ? `move:${name}` : name === 'none' ? 'none' : `topic:${name}`;
    for (const text of texts) {
      total++;
      if (best(text) === expected) right++;
    }
  }
  out.push(`  ${language}  ${String(right).padStart(3)}/${total}  ${percent(right, total).padStart(7)}`);
}
out.push('');

// Language detection without a locale, on messages of four words or more.
const long = evalSet.languages.filter((entry) => wordCount(entry.text) >= 4);
const wrongLanguage = long.filter((entry) => model.detectLanguage(entry.text).language !== entry.language);
const languageAccuracy = (long.length - wrongLanguage.length) / long.length;
out.push(
  `Language of a message, four words or more, five languages and others (target ≥ 97 %): ${long.length - wrongLanguage.length}/${long.length}  ${percent(long.length - wrongLanguage.length, long.length)}  ${verdict(languageAccuracy >= TARGETS.languageAccuracy)}`,
  ...wrongLanguage.map((entry) => `      ${entry.language} → ${model.detectLanguage(entry.text).language}: ${entry.text}`),
  '',
);

// Latency: everything the bot does with one message's text (intent, decision, language).
const texts = [...Object.values(evalSet.topics).flatMap((byTopic) => Object.values(byTopic).flat()), ...evalSet.languages.map((entry) => entry.text)];
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
out.push(
  `Per message (intent + decision + language), ${timings.length} runs: mean ${mean.toFixed(3)} ms, median ${timings[timings.length >> 1]!.toFixed(3)} ms, p99 ${p99.toFixed(3)} ms (target ≤ 1 ms)  ${verdict(mean <= TARGETS.msPerMessage)}`,
);
process.stdout.write(`${out.join('\n')}\n`);
process.exitCode = allTopicsMet && languageAccuracy >= TARGETS.languageAccuracy ? 0 : 1;
