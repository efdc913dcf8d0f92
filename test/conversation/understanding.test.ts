import path from 'node:path';
import { ConversationEngine } from '../../src/conversation/engine';
import { createTranslator } from '../../src/content/i18n';
import { loadContent } from '../../src/content/loadContent';
import { accountService, Chat, contentCopy, engine, english, NOW } from '../support/helpers';

/** Free text in the user's own words, in five languages: topics, moves, questions, languages, doubt. */
describe('understanding what candidates type', () => {
  const bot = engine();

  it.each([
    ['en-GB', 'I forgot my password', 'forgotPassword'],
    ['es-ES', 'olvidé mi contraseña', 'forgotPassword'],
    ['de-DE', 'mein Konto ist seit gestern gesperrt', 'lockout'],
    ['fr-FR', 'le centre est fermé pour les vacances', 'centreClosed'],
    ['it-IT', 'non ho più accesso alla mail con cui mi sono registrato', 'lostEmail'],
    ['en-US', 'This account has been locked. Please try again in 30 minutes.', 'lockout'],
    ['es-MX', 'olvide mi contrasena', 'forgotPassword'],
    ['en-GB', 'i forgot my pasword', 'forgotPassword'],
    ['en-GB', 'I want to talk to a person', 'person'],
  ])('in %s, "%s" leads to %s', async (locale, text, node) => {
    const chat = new Chat(bot, locale);
    await chat.open();
    await chat.say(text);
    expect(chat.last.trace.state).toBe(node);
    expect(chat.last.trace.understood?.intent).toBe(`topic:${node}`);
    expect(chat.last.trace.locale).toBe(locale.slice(0, 2));
  });

  it('answers the first message itself when it names the problem', async () => {
    const chat = new Chat(bot, 'de-DE');
    await chat.say('Ich habe mein Passwort vergessen');
    expect(chat.last.said[0]).toBe('common:welcome');
    expect(chat.last.trace.state).toBe('forgotPassword');
  });

  it('takes a typed yes or no as the answer to the question asked', async () => {
    const chat = new Chat(bot, 'es-ES');
    await chat.open();
    await chat.say('se me olvidó la contraseña');
    await chat.say('sí, por favor');
    expect(chat.last.trace.state).toBe('passwordReset.idNumber');

    const english = new Chat(bot);
    await english.open();
    await english.choose('credentials');
    await english.say('no');
    expect(english.last.trace.state).toBe('solved');
  });

  it('greets back without losing the place', async () => {
    const chat = new Chat(bot);
    await chat.open();
    await chat.choose('lockout');
    await chat.say('hello');
    expect(chat.last.said[0]).toBe('common:understanding.greeting');
    expect(chat.last.trace.state).toBe('lockout');
  });

  describe('inside a question', () => {
    it('takes the answer, even when it could read as something else', async () => {
      const chat = new Chat(bot);
      await chat.open();
      await chat.choose('centreClosed');
      await chat.choose('helpdeskRequest');
      await chat.say('Maria Garcia');
      expect(chat.last.trace.state).toBe('helpdeskRequest.exam');
      await chat.say('B2 First');
      await chat.say('12 March 2025');
      expect(chat.last.trace.state).toBe('helpdeskRequest.centreName');
      await chat.say('British Council Madrid');
      expect(chat.last.trace.state).toBe('helpdeskRequest.email');
    });

    it.each([
      ['en-GB', '12/03/2025'],
      ['en-GB', '12 March 2025'],
      ['de-DE', '12. März 2025'],
      ['it-IT', '12 marzo'],
      ['fr-FR', '1er mars 2025'],
      ['es-ES', '12 de marzo de 2025'],
    ])('in %s reads the date "%s"', async (locale, typed) => {
      const chat = new Chat(bot, locale);
      await chat.open();
      await chat.choose('centreClosed');
      await chat.choose('helpdeskRequest');
      await chat.say('Ana López');
      await chat.say('C1 Advanced');
      await chat.say(typed);
      expect(chat.last.trace.state).toBe('helpdeskRequest.centreName');
    });

    it('lets the user change topic, and picks the form up again with the answers kept', async () => {
      const chat = new Chat(bot);
      await chat.open();
      await chat.choose('centreClosed');
      await chat.choose('helpdeskRequest');
      for (const answer of ['Ana López', 'B2 First', '14/06/2025', 'Centro Uno', 'ana@example.org'])
        await chat.say(answer);
      expect(chat.last.trace.state).toBe('helpdeskRequest.idNumber');

      await chat.say('actually I forgot my password');
      expect(chat.last.trace.state).toBe('forgotPassword');
      expect(chat.last.said[0]).toBe('common:understanding.onHold');

      await chat.say('back');
      expect(chat.last.trace.state).toBe('helpdeskRequest.idNumber');
      expect(chat.last.said).toEqual(['common:understanding.resumed', 'ask.idNumber']);
      await chat.say('ABC123456');
      await chat.say('1234');
      expect(chat.last.trace.state).toBe('helpdeskRequest.confirm');
      expect(chat.text).toContain('Ana López');
      expect(chat.text).toContain('Centro Uno');
    });
  });

  describe('languages', () => {
    it('replies in the language the user writes in when the channel gives no locale', async () => {
      const chat = new Chat(bot, '');
      await chat.say('olvidé mi contraseña');
      expect(chat.last.language).toBe('es');
      expect(chat.last.chosenLanguage).toBe('es');
      expect(chat.last.trace).toMatchObject({ state: 'forgotPassword', locale: 'es', written: { language: 'es' } });
    });

    it('switches when the user writes at length in another of the five, says so and offers the way back', async () => {
      const chat = new Chat(bot, 'en-GB');
      await chat.open();
      await chat.say('hola, no puedo entrar porque mi cuenta está bloqueada');
      expect(chat.last.language).toBe('es');
      expect(chat.last.said[0]).toBe('common:understanding.languageSwitched');
      expect(chat.last.trace.state).toBe('lockout');
      expect(chat.last.buttons.at(-1)).toMatchObject({ title: 'English', value: { language: 'en' } });
      await chat.click('English');
      expect(chat.last.language).toBe('en');
    });

    it('never flips the language on a short message', async () => {
      const chat = new Chat(bot, 'de-DE');
      await chat.open();
      for (const text of ['ok', 'ID', 'password']) {
        await chat.say(text);
        expect(chat.last.language).toBe('de');
      }
    });

    it.each([
      ['en-GB', 'Deutsch bitte', 'de'],
      ['es-ES', 'in English please', 'en'],
      ['en-GB', '¿puedes hablar en español?', 'es'],
      ['de-DE', 'parli italiano?', 'it'],
    ])('in %s, "%s" switches to %s', async (locale, text, language) => {
      const chat = new Chat(bot, locale);
      await chat.open();
      await chat.say(text);
      expect(chat.last.language).toBe(language);
      expect(chat.last.said[0]).toBe('common:language.changed');
    });

    it('answers a message in a language it does not speak in English, with the five to choose from', async () => {
      const chat = new Chat(bot, 'de-DE');
      await chat.open();
      await chat.choose('lockout');
      await chat.say('esqueci minha senha do exame');
      expect(chat.text).toBe(english('common:understanding.unsupportedLanguage'));
      expect(chat.last.buttons.map((button) => button.title)).toEqual([
        'English',
        'Español',
        'Italiano',
        'Français',
        'Deutsch',
      ]);
      expect(chat.last.trace.state).toBe('lockout');
      await chat.click('Español');
      expect(chat.last.language).toBe('es');
    });
  });

  describe('when unsure', () => {
    it('asks "did you mean" with the candidates as buttons, and a click goes there', async () => {
      const chat = new Chat(bot);
      await chat.open();
      await chat.say('centre');
      expect(chat.last.said).toEqual(['common:understanding.didYouMean']);
      expect(chat.last.buttons.map((button) => button.value)).toEqual(
        expect.arrayContaining([{ goto: 'findCentre' }, { goto: 'centreClosed' }]),
      );
      expect(chat.last.trace.state).toBe('menu');
      await chat.click(english('menu.choice.centreClosed'));
      expect(chat.last.trace.state).toBe('centreClosed');
    });

    it('after two misunderstandings in a row offers the menu and a person, and never loops', async () => {
      const chat = new Chat(bot);
      await chat.open();
      await chat.say('what is the weather like today');
      expect(chat.last.said[0]).toBe('common:notUnderstood');
      await chat.say('tell me a joke');
      expect(chat.last.said).toEqual(['common:understanding.stuck']);
      await chat.click(english('person.title'));
      expect(chat.last.trace.state).toBe('person');
    });
  });

  it('learns from the examples in the content: an edit changes what it understands, without code', async () => {
    const phrase = 'the purple unicorn ate my homework';
    expect((await new Chat(bot).say(phrase)).trace.state).not.toBe('credentials');

    const copy = contentCopy();
    const file = path.join('dialogs', 'understanding', 'en.yaml');
    const lines = [
      'purple unicorn',
      'a purple unicorn took my login',
      'unicorn purple problem',
      'the unicorn ate it',
      'purple unicorn again',
    ];
    copy.edit(file, (text) =>
      text.replace('  credentials:\n', `  credentials:\n${lines.map((line) => `    - "${line}"`).join('\n')}\n`),
    );
    const edited = loadContent(copy.root);
    const editedBot = new ConversationEngine({
      content: edited,
      i18n: createTranslator(edited),
      accountService: accountService(),
      now: () => NOW,
    });
    const reply = await new Chat(editedBot).say(phrase);
    expect(reply.trace.state).toBe('credentials');
    expect(reply.trace.understood?.intent).toBe('topic:credentials');
  });
});
