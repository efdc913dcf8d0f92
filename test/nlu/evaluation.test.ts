import { LANGUAGES } from '../../src/dialog/languages';
import { interpret } from '../../src/conversation/understand';
import { languageModelOf } from '../../src/nlu/fromContent';
import {
  accuracy,
  evaluate,
  GROUPS,
  overallTopics,
  readEvalSet,
  TARGETS,
  type Understanding,
} from '../../tools/nluEvaluation';
import { content } from '../support/helpers';

/** The README's promise about typed messages the bot never learnt from, held to its targets. */
describe('understanding messages it never learnt from (test/nlu/eval.yaml)', () => {
  const evalSet = readEvalSet();
  const model = languageModelOf(content());
  const evaluation = evaluate(model, evalSet);
  const misses = (answers: typeof evaluation.languages.answers) =>
    answers
      .filter(({ expected, got }) => got !== expected)
      .map(({ text, expected, got }) => `${expected} → ${got}: ${text}`);

  it.each(LANGUAGES)(
    `finds the topic of at least ${TARGETS.topicAccuracy * 100} %% of the messages in %s`,
    (language) => {
      const score = evaluation.topics[language];
      expect(score.total).toBeGreaterThan(0);
      // Below the target, list what it got wrong: that is what the examples need more of.
      if (accuracy(score) < TARGETS.topicAccuracy) expect(misses(score.answers)).toEqual([]);
      expect(accuracy(score)).toBeGreaterThanOrEqual(TARGETS.topicAccuracy);
    },
  );

  it(`finds the topic of at least ${TARGETS.topicAccuracy * 100} % of all the messages together`, () => {
    expect(accuracy(overallTopics(evaluation))).toBeGreaterThanOrEqual(TARGETS.topicAccuracy);
  });

  const longMessages = `messages of ${TARGETS.languageMinWords} words or more`;
  it(`tells the language of at least ${TARGETS.languageAccuracy * 100} % of ${longMessages}`, () => {
    expect(evaluation.languages.total).toBeGreaterThan(0);
    expect(new Set(evaluation.languages.answers.map((answer) => answer.expected))).toEqual(
      new Set([...LANGUAGES, 'other']),
    );
    if (accuracy(evaluation.languages) < TARGETS.languageAccuracy)
      expect(misses(evaluation.languages.answers)).toEqual([]);
    expect(accuracy(evaluation.languages)).toBeGreaterThanOrEqual(TARGETS.languageAccuracy);
  });

  it.each(LANGUAGES)(
    `recognises at least ${TARGETS.offTopicRecognised * 100} %% of the off-topic questions in %s`,
    (language) => {
      const score = evaluation.groups.offTopic[language];
      expect(score.total).toBeGreaterThanOrEqual(10);
      if (accuracy(score) < TARGETS.offTopicRecognised) expect(misses(score.answers)).toEqual([]);
      expect(accuracy(score)).toBeGreaterThanOrEqual(TARGETS.offTopicRecognised);
    },
  );

  it.each(LANGUAGES)('takes every frustrated request for a person in %s to the person step at once', (language) => {
    const lines = evalSet.groups.frustrated[language];
    expect(lines.length).toBeGreaterThanOrEqual(5);
    const decisions = lines.map((text) => ({ text, decision: interpret(model, text) }));
    expect(decisions.filter(({ decision }) => decision.kind !== 'topic' || decision.node !== 'person')).toEqual([]);
  });

  // Groups the bot must act on at once, without "did you mean": a greeting followed by the problem, and
  // "I can't access my account" said plainly (the login does not work).
  const actedAtOnce = (['greetingProblem', 'cannotAccess'] as const).flatMap((group) =>
    LANGUAGES.map((language) => [group, language] as const),
  );
  it.each(actedAtOnce)('acts at once on every %s message in %s, as the step of its topic', (group, language) => {
    const lines = evalSet.groups[group][language];
    expect(lines.length).toBeGreaterThan(0);
    const topic = GROUPS[group].slice('topic:'.length);
    expect(content().dialog.nodes[topic]).toBeDefined();
    const decisions = lines.map((text) => ({ text, decision: interpret(model, text) }));
    expect(decisions.filter(({ decision }) => decision.kind !== 'topic' || decision.node !== topic)).toEqual([]);
  });

  it.each(LANGUAGES)('never takes a greeting in %s for a topic', (language) => {
    const lines = evalSet.groups.greeting[language];
    expect(lines.length).toBeGreaterThanOrEqual(5);
    const decisions = lines.map((text) => ({ text, decision: interpret(model, text) }));
    expect(decisions.filter(({ decision }) => decision.kind === 'topic' || decision.kind === 'clarify')).toEqual([]);
  });

  it.each(LANGUAGES)('keeps a conversation in %s on junk and mixed-language lines', (language) => {
    const score = evaluation.junk[language];
    expect(score.total).toBeGreaterThan(0);
    expect(misses(score.answers).filter((miss) => miss.includes('switched'))).toEqual([]);
  });

  it.each(LANGUAGES)('never answers a junk or mixed-language line in %s with "I only speak …"', (language) => {
    const score = evaluation.junk[language];
    expect(score.answers.filter(({ got }) => got.endsWith('(unsupported)'))).toEqual([]);
  });

  const otherLanguages = `${TARGETS.otherLanguageRecognised * 100} % of the messages in other languages`;
  it(`answers at least ${otherLanguages} with "I only speak …", in a conversation in any of the five`, () => {
    const score = evaluation.otherLanguages;
    expect(score.total).toBeGreaterThanOrEqual(20);
    if (accuracy(score) < TARGETS.otherLanguageRecognised) expect(misses(score.answers)).toEqual([]);
    expect(accuracy(score)).toBeGreaterThanOrEqual(TARGETS.otherLanguageRecognised);
  });

  it('would notice a model that has learnt nothing', () => {
    const clueless: Understanding = {
      rankIntents: () => [{ label: 'none' }],
      detectLanguage: () => ({ language: 'en', p: 1, words: 1 }),
    };
    const blind = evaluate(clueless, evalSet);
    for (const language of LANGUAGES) {
      expect(accuracy(blind.topics[language])).toBeLessThan(TARGETS.topicAccuracy);
      expect(accuracy(blind.groups.offTopic[language])).toBeLessThan(TARGETS.offTopicRecognised);
    }
    expect(accuracy(blind.languages)).toBeLessThan(TARGETS.languageAccuracy);
  });
});
