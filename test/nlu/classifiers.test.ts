import { LanguageModel, type LanguageModelData } from '../../src/nlu/model';
import { featuresOf, type FeatureSpec } from '../../src/nlu/features';
import { NaiveBayesClassifier } from '../../src/nlu/naiveBayes';
import { SoftmaxClassifier, type Labelled, type Ranked } from '../../src/nlu/softmax';

const WORDS: FeatureSpec = { words: true, bigrams: true, charLengths: [3] };
const LETTERS: FeatureSpec = { words: true, bigrams: false, charLengths: [1, 2, 3] };

/** Two topics that share no words: any working classifier separates them. */
const TOPICS: Labelled[] = [
  ...[
    'my password is wrong',
    'forgot the password',
    'reset my password please',
    'new password needed',
    'password not accepted',
  ].map((text) => ({ text, label: 'password' })),
  ...[
    'where is the exam centre',
    'centre address please',
    'which centre did i use',
    'find my centre',
    'the centre phone number',
  ].map((text) => ({ text, label: 'centre' })),
  ...['thank you', 'thanks a lot', 'many thanks', 'thank you so much', 'cheers thanks'].map((text) => ({
    text,
    label: 'thanks',
  })),
];

const LANGUAGE_SAMPLES: Labelled[] = [
  ...[
    'the account is locked',
    'i forgot the password',
    'where is the centre',
    'thank you very much',
    'what should i do now',
  ].map((text) => ({ text, label: 'en' })),
  ...[
    'la cuenta está bloqueada',
    'olvidé la contraseña',
    'dónde está el centro',
    'muchas gracias por todo',
    'qué tengo que hacer',
  ].map((text) => ({ text, label: 'es' })),
  ...[
    'das Konto ist gesperrt',
    'ich habe das Passwort vergessen',
    'wo ist das Zentrum',
    'vielen Dank für alles',
    'was soll ich tun',
  ].map((text) => ({ text, label: 'de' })),
];

const sum = (ranking: Ranked[]) => ranking.reduce((total, { p }) => total + p, 0);

function expectAProbabilityRanking(ranking: Ranked[], labels: readonly string[]): void {
  expect(ranking.map(({ label }) => label).sort()).toEqual([...labels].sort());
  expect(sum(ranking)).toBeCloseTo(1, 6);
  for (const { p } of ranking) expect(p).toBeGreaterThanOrEqual(0);
  for (let i = 1; i < ranking.length; i++) expect(ranking[i - 1]!.p).toBeGreaterThanOrEqual(ranking[i]!.p);
}

describe('the features of a message', () => {
  it('are its words, its pairs of words and the letter sequences of each word with its edges marked', () => {
    const features = featuresOf('Reset password', { words: true, bigrams: true, charLengths: [3] });
    expect(features.get('w:reset')).toBe(1);
    expect(features.get('b:reset password')).toBe(1);
    expect(features.get(' re')).toBe(1);
    expect(features.get('rd ')).toBe(1);
    expect(features.has('b:password reset')).toBe(false);
  });

  it('count repeats, and read accents, case and digits alike', () => {
    expect(featuresOf('no no no', WORDS).get('w:no')).toBe(3);
    expect(featuresOf('Contraseña OLVIDADA', WORDS)).toEqual(featuresOf('contrasena olvidada', WORDS));
    expect(featuresOf('id SIR094701', WORDS)).toEqual(featuresOf('id sir000000', WORDS));
  });

  it('are only what the spec asks for', () => {
    expect([...featuresOf('forgot password', { words: true, bigrams: false, charLengths: [] }).keys()]).toEqual([
      'w:forgot',
      'w:password',
    ]);
    expect(featuresOf('', WORDS).size).toBe(0);
  });
});

describe('the softmax classifier (topics)', () => {
  const model = SoftmaxClassifier.train(TOPICS, WORDS);

  it('learns a set it can separate, and ranks new wordings of it first', () => {
    expect(model.rank('i forgot my password again')[0]!.label).toBe('password');
    expect(model.rank('address of the exam centre?')[0]!.label).toBe('centre');
    expect(model.rank('thanks so much')[0]!.label).toBe('thanks');
    for (const { text, label } of TOPICS) expect(model.rank(text)[0]!.label).toBe(label);
  });

  it('gives every label a probability, most likely first, summing to 1', () => {
    expectAProbabilityRanking(model.rank('password for the centre'), model.labels);
    expect(model.rank('my password is wrong')[0]!.p).toBeGreaterThan(0.5);
  });

  it('has no favourite for words it never saw, and says they are unfamiliar', () => {
    const ranking = model.rank('zzzz qqqq');
    expectAProbabilityRanking(ranking, model.labels);
    expect(ranking[0]!.p).toBeLessThan(0.6);
    expect(model.known('zzzz qqqq')).toBe(0);
    expect(model.known('my password is wrong')).toBe(1);
    expect(model.known('my password xyzzy')).toBeGreaterThan(0);
    expect(model.known('my password xyzzy')).toBeLessThan(1);
  });

  it('trains the same model every time from the same examples', () => {
    const again = SoftmaxClassifier.train(TOPICS, WORDS);
    for (const text of ['password for the centre', 'thanks for the address', 'zzzz'])
      expect(again.rank(text)).toEqual(model.rank(text));
  });
});

describe('the naive Bayes classifier (languages)', () => {
  const model = NaiveBayesClassifier.train(LANGUAGE_SAMPLES, LETTERS);

  it('tells languages apart by their letters, also in sentences it never saw', () => {
    expect(model.rank('my account is locked')[0]!.label).toBe('en');
    expect(model.rank('mi cuenta está bloqueada')[0]!.label).toBe('es');
    expect(model.rank('mein Konto ist gesperrt')[0]!.label).toBe('de');
  });

  it('gives every label a probability, most likely first, summing to 1', () => {
    const ranking = model.rank('the centre is closed');
    expectAProbabilityRanking(ranking, model.labels);
    expect(ranking[0]!.p).toBeLessThan(1);
  });

  it('is undecided about a text with nothing it can read', () => {
    const ranking = model.rank('¿¡ … 🙂');
    expectAProbabilityRanking(ranking, model.labels);
    for (const { p } of ranking) expect(p).toBeCloseTo(1 / model.labels.length, 6);
  });

  it('trains the same model every time from the same examples', () => {
    const again = NaiveBayesClassifier.train(LANGUAGE_SAMPLES, LETTERS);
    for (const text of ['the centre is closed', 'das Passwort', 'zzz'])
      expect(again.rank(text)).toEqual(model.rank(text));
  });
});

describe("the language model's evidence that a message is in another language", () => {
  const speak = (sentences: string[]) => ({ topics: { help: sentences }, moves: {}, none: [] });
  const model = LanguageModel.train({
    examples: {
      en: speak(['i cannot log in to my account', 'i forgot my password']),
      es: speak(['no puedo entrar en mi cuenta', 'olvidé mi contraseña, mañana']),
      it: speak(['non riesco ad accedere al mio account', 'ho dimenticato la password']),
      fr: speak(["je n'arrive pas à me connecter", "j'ai oublié mon mot de passe"]),
      de: speak(['ich kann mich nicht anmelden', 'ich habe mein Passwort vergessen']),
    },
    unsupported: ['não consigo entrar na minha conta', 'ik kan niet inloggen op mijn account'],
    languageTexts: { en: ['the pizza'], es: [], it: [], fr: [], de: [] },
    languageNames: { en: [], es: [], it: [], fr: [], de: [] },
  });

  it('is the words only messages in other languages use, and words with a letter the five do not write', () => {
    expect(model.detectLanguage('ik kan echt niet inloggen').foreign).toEqual(['ik', 'kan', 'niet', 'inloggen']);
    expect(model.detectLanguage('Não, minha conta!').foreign).toEqual(['não', 'minha', 'conta']);
    expect(model.detectLanguage('nie mogę się zalogować').foreign).toEqual(['mogę', 'się', 'zalogować']);
    expect(model.detectLanguage('我不能登录').foreign).toEqual(['我不能登录']);
  });

  it('is nothing in a message of words of the five, nor in words no language the model knows uses', () => {
    expect(model.detectLanguage('kindergarten sauerkraut pizza tapas').foreign).toEqual([]);
    expect(model.detectLanguage('olvidé mañana account passwort').foreign).toEqual([]);
  });

  it('is kept in the model file', () => {
    const loaded = LanguageModel.fromData(JSON.parse(JSON.stringify(model.toData())) as LanguageModelData);
    for (const text of ['ik kan niet inloggen', 'nie mogę się zalogować', 'kindergarten sauerkraut'])
      expect(loaded.detectLanguage(text)).toEqual(model.detectLanguage(text));
  });
});
