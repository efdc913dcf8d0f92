import { LANGUAGES } from '../../src/dialog/languages';
import { NOTICES } from '../../src/dialog/systemKeys';
import { accountService, Chat, content, engine, english, menuNumber, NOW } from '../support/helpers';
import { inMemoryAccounts } from '../../src/referenceService/referenceAccounts';
import { ConversationEngine, type StoredDialog } from '../../src/conversation/engine';
import { SlotSeal } from '../../src/conversation/sealedSlots';
import { createTranslator } from '../../src/content/i18n';
import type { AccountService } from '../../src/accountService/accountService';

/** The main menu's buttons, as the content names them. */
function menuLabels(): string[] {
  const menu = content().dialog.nodes[content().dialog.start]!;
  return 'choices' in menu ? menu.choices.map((choice) => choice.label) : [];
}

describe('a conversation, turn by turn', () => {
  it('greets a new conversation in the channel language, offers the topics, and the other languages once', async () => {
    const chat = new Chat(engine(), 'es-ES');
    await chat.open();
    expect(chat.last.language).toBe('es');
    expect(chat.last.said).toEqual(['common:welcome', 'common:language.offer', 'menu.intro']);
    expect(chat.last.buttons.map((button) => button.label)).toEqual(menuLabels());
    expect(chat.last.trace).toEqual({ topic: 'menu', state: 'menu', locale: 'es', expecting: null });
    // The other languages are offered once, not each time the menu comes back.
    await chat.say('menú');
    expect(chat.last.said).toEqual(['menu.intro']);
  });

  it('keeps the first reply short and its buttons few enough for a phone', async () => {
    const chat = new Chat(engine(), 'en-GB');
    await chat.open();
    const words = chat.text.replace(/\*\*/g, '').split(/\s+/).filter(Boolean);
    expect(words.length).toBeLessThanOrEqual(60);
    expect(chat.last.buttons.length).toBeLessThanOrEqual(7);
  });

  it('gives the support site\'s contact link in "talk to a person" and in the closed-centre message', async () => {
    const { contact } = content().dialog.links;
    for (const language of LANGUAGES) {
      const chat = new Chat(engine(), language);
      await chat.open();
      await chat.send({ value: { goto: content().dialog.handover } });
      expect(chat.text).toContain(`](${contact})`);
      await chat.choose('centreClosed');
      expect(chat.text).toContain(`](${contact})`);
    }
  });

  it('falls back to English for a channel locale it does not speak', async () => {
    const chat = new Chat(engine(), 'pt-BR');
    await chat.open();
    expect(chat.last.language).toBe('en');
    expect(chat.text).toContain(english('common:welcome'));
  });

  it('takes a button by its label, its number, or its label in another of the five languages', async () => {
    const byLabel = new Chat(engine());
    await byLabel.open();
    await byLabel.say(english('menu.choice.lockout'));
    expect(byLabel.last.trace.topic).toBe('lockout');

    const byNumber = new Chat(engine());
    await byNumber.open();
    await byNumber.say(menuNumber('forgotPassword'));
    expect(byNumber.last.trace.topic).toBe('forgotPassword');

    // French, in lower case and with a typographic apostrophe, as people type it.
    const french = createTranslator(content()).getFixedT('fr')('menu.choice.centreClosed');
    const byOtherLanguage = new Chat(engine());
    await byOtherLanguage.open();
    await byOtherLanguage.say(french.toLowerCase().replace(/'/g, '’'));
    expect(byOtherLanguage.last.trace.topic).toBe('centreClosed');
  });

  it('reads the lockout facts from the article, quoting the site message verbatim in every language', async () => {
    for (const locale of ['en', 'es', 'it', 'fr', 'de']) {
      const chat = new Chat(engine(), locale);
      await chat.open();
      await chat.say('2');
      expect(chat.text).toContain('This account has been locked. Please try again in 30 minutes.');
      expect(chat.text).toMatch(/30/);
      expect(chat.text).toMatch(/Ctrl|Strg/);
    }
  });

  it('tells a locked candidate when the account unlocks, in their language and time zone', async () => {
    const chat = new Chat(engine(), 'de-DE', 'Europe/Berlin');
    await chat.open();
    await chat.choose('lockout');
    await chat.choose('lockoutCheck');
    expect(chat.last.trace).toMatchObject({ state: 'lockoutCheck.idNumber', expecting: 'idNumber' });
    await chat.say('SIR094701');
    expect(chat.last.trace.expecting).toBe('secretNumber');
    await chat.say('8482');
    expect(chat.text).toContain('Ihr Konto ist bis **10:20 MEZ** gesperrt – also noch 20 Minuten.');
    expect(chat.last.trace).toEqual({ topic: 'lockout', state: 'lockoutLocked', locale: 'de', expecting: null });
  });

  it('says the time as "in N minutes" when the channel does not tell the time zone', async () => {
    const chat = new Chat(engine(), 'en-GB');
    await chat.open();
    await chat.choose('lockout');
    await chat.choose('lockoutCheck');
    await chat.say('SIR094701');
    await chat.say('8482');
    expect(chat.text).toContain(english('lockoutLocked.body', { count: 20, context: 'inMinutes' }));
    expect(chat.text).not.toContain('UTC');
  });

  it('gives the same answer for an unknown ID and a wrong secret number', async () => {
    const replies: string[] = [];
    for (const [id, secret] of [
      ['ZZZ999999', '8482'],
      ['SIR094701', '0000'],
    ]) {
      const chat = new Chat(engine());
      await chat.open();
      await chat.choose('lockout');
      await chat.choose('lockoutCheck');
      await chat.say(id!);
      await chat.say(secret!);
      replies.push(chat.text);
    }
    expect(replies[0]).toBe(english('lockoutUnverified.body'));
    expect(replies[1]).toBe(replies[0]);
  });

  it('sends the reset email via the account service, saying so without revealing if the account exists', async () => {
    const service = inMemoryAccounts(
      [{ idNumber: 'ABC123456', secretNumber: '1234', email: 'open@example.org', password: 'x' }],
      () => NOW,
    );
    const chat = new Chat(engine({ service }), 'it-IT');
    await chat.open();
    await chat.choose('forgotPassword');
    expect(chat.text).toContain('spam');
    await chat.choose('passwordReset');
    await chat.say('abc 123456');
    expect(await service.sentEmails()).toEqual([
      { to: 'open@example.org', idNumber: 'ABC123456', at: NOW.toISOString() },
    ]);
    const known = chat.text;

    const unknown = new Chat(engine({ service }), 'it-IT');
    await unknown.open();
    await unknown.choose('forgotPassword');
    await unknown.choose('passwordReset');
    await unknown.say('QQQ000000');
    expect(unknown.text).toBe(known);
    expect(await service.sentEmails()).toHaveLength(1);
  });

  it('files a closed-centre request and gives the reference; the secret number is gone from stored state', async () => {
    const service = accountService();
    const chat = new Chat(engine({ service }), 'fr-FR');
    await chat.open();
    await chat.choose('centreClosed');
    await chat.choose('helpdeskRequest');
    for (const answer of [
      'Camille Martin',
      'C1 Advanced',
      '3 juin 2025',
      'Centre de Lyon',
      'camille@example.fr',
      'ABC123456',
      '1234',
    ])
      await chat.say(answer);
    expect(chat.last.trace.expecting).toBe('confirm');
    expect(chat.text).toContain("- Date de l'examen : 3 juin 2025");
    expect(chat.text).toContain('- Numéro secret : ••••');
    expect(chat.text).not.toContain('1234');
    await chat.choose('send');
    const [request] = await service.helpdeskRequests();
    expect(request!.reference).toMatch(/^HD-[2-9A-Z]{4}-[2-9A-Z]{4}$/);
    expect(request).toMatchObject({
      fullName: 'Camille Martin',
      examDate: '2025-06-03',
      locale: 'fr',
    });
    expect(JSON.stringify(request)).not.toMatch(/\b1234\b/);
    expect(await service.filedWithSecret(request!.reference, '1234')).toBe(true);
    expect(chat.text).toContain(`**${request!.reference}**`);
    expect(JSON.stringify(chat.stored)).not.toMatch(/1234|ABC123456|Camille/);
  });

  it('keeps a secret answer waiting for a retry only encrypted; another key asks for it again', async () => {
    const seal = new SlotSeal('k'.repeat(32));
    const down = () => Promise.reject(new Error('down'));
    const failing: AccountService = { checkLockStatus: down, requestPasswordReset: down, createHelpdeskRequest: down };
    const chat = new Chat(engine({ service: failing, seal }));
    await chat.open();
    await chat.choose('lockout');
    await chat.choose('lockoutCheck');
    await chat.say('SIR094701');
    await chat.say('8482');
    expect(chat.last.trace.state).toBe('lockoutCheck.failed');
    const waiting = chat.stored;
    expect(JSON.stringify(waiting)).not.toMatch(/8482/);
    expect(waiting!.sealed?.slots).toEqual(['secretNumber']);
    const retry = { value: { choice: 'retry', state: 'lockoutCheck.failed' } };

    // The same key, on another engine (another instance): the retry sends the secret number it was given.
    const sameKey = new Chat(engine({ seal: new SlotSeal('k'.repeat(32)) }));
    sameKey.stored = waiting;
    await sameKey.send(retry);
    expect(sameKey.last.trace.state).toBe('lockoutLocked');

    // Another key cannot read it: the candidate is asked for it again, in their language, and the check goes on.
    for (const locale of ['en', 'es', 'it', 'fr', 'de']) {
      const otherKey = new Chat(engine({ seal: new SlotSeal('o'.repeat(32)) }), locale);
      otherKey.stored = waiting;
      await otherKey.send(retry);
      expect(otherKey.last.said).toEqual(['common:secretAgain', 'ask.secretNumber']);
      expect(otherKey.last.trace.expecting).toBe('secretNumber');
      expect(otherKey.last.language).toBe(locale);
      expect(otherKey.stored!.sealed).toBeUndefined();
      await otherKey.say('8482');
      expect(otherKey.last.trace.state).toBe('lockoutLocked');
    }
  });

  it('switches language at any step and remembers the choice', async () => {
    const chat = new Chat(engine(), 'en-GB');
    await chat.open();
    await chat.choose('centreClosed');
    await chat.choose('helpdeskRequest');
    await chat.say('Deutsch');
    expect(chat.last.chosenLanguage).toBe('de');
    expect(chat.text).toContain('Gern – wir machen auf Deutsch weiter.');
    expect(chat.text).toContain('Wie lautet Ihr vollständiger Name');
    expect(chat.last.trace).toMatchObject({ locale: 'de', expecting: 'fullName' });
    await chat.say('Ana García');
    expect(chat.last.language).toBe('de');
    expect(chat.text).toContain('Welche Prüfung');
  });

  it('takes a language named in the very first message before greeting', async () => {
    const chat = new Chat(engine(), 'en-US');
    await chat.say('español');
    expect(chat.last.language).toBe('es');
    expect(chat.text.startsWith('¡Hola!')).toBe(true);
  });

  it('understands the moves in every language: back, menu, start over, help, options', async () => {
    const chat = new Chat(engine(), 'it-IT');
    await chat.open();
    await chat.choose('lostEmail');
    await chat.choose('findCentre');
    await chat.say('indietro');
    expect(chat.last.trace.state).toBe('lostEmail');
    await chat.say('aiuto');
    expect(chat.text).toContain('**indietro**');
    await chat.say('Menu');
    expect(chat.last.trace.state).toBe('menu');
    await chat.say('4');
    await chat.say('ricomincia');
    expect(chat.text).toContain('Va bene, ricominciamo.');
    expect(chat.last.trace.state).toBe('menu');
    await chat.say('opzioni');
    expect(chat.text).toContain('Ecco di nuovo le opzioni.');
  });

  describe('bad input gets a helpful reply and leaves the conversation where it was', () => {
    async function atSecretNumber(locale = 'en') {
      const chat = new Chat(engine(), locale);
      await chat.open();
      await chat.choose('lockout');
      await chat.choose('lockoutCheck');
      await chat.say('SIR094701');
      return chat;
    }

    it.each([
      ['an empty message', { text: '   ' }, 'common:empty'],
      ['a picture with no text', { hasAttachments: true }, 'common:attachment'],
      ['10 kB of text', { text: 'a'.repeat(10_240) }, 'common:tooLong'],
      ['a button from an old message', { value: { choice: 'lockoutCheck', state: 'lockout' } }, 'common:staleButton'],
    ])('%s', async (_name, message, notice) => {
      const chat = await atSecretNumber();
      const before = chat.stored;
      await chat.send(message);
      expect(chat.text).toBe(`${english(notice)}\n\n${english('ask.secretNumber')}`);
      expect(chat.last.trace).toMatchObject({ state: 'lockoutCheck.secretNumber', expecting: 'secretNumber' });
      expect(chat.stored).toEqual(before);
    });

    it('a wrong secret number format, in Spanish', async () => {
      const chat = await atSecretNumber('es');
      await chat.say('84821');
      expect(chat.text).toContain('El número secreto tiene 4 cifras');
      expect(chat.last.trace.expecting).toBe('secretNumber');
    });

    it('emoji and HTML where a choice is expected', async () => {
      const chat = new Chat(engine());
      await chat.open();
      await chat.say('🙈🙉🙊');
      expect(chat.text).toBe(`${english('common:notUnderstood')}\n\n${english('common:choicesAgain')}`);
      expect(chat.last.trace.state).toBe('menu');
      expect(chat.last.buttons.map((button) => button.label)).toEqual(menuLabels());
      // Not understood twice in a row: no more "didn't get that", but a way out.
      for (const text of ['<script>alert(1)</script>', '[click](javascript:alert(1))']) {
        await chat.say(text);
        expect(chat.text).toBe(english('common:understanding.stuck'));
        expect(chat.last.trace.state).toBe('menu');
        expect(chat.last.buttons.map((button) => button.value)).toEqual([{ goto: 'menu' }, { goto: 'person' }]);
      }
    });

    it('HTML and markdown typed as a name are shown back inert', async () => {
      const chat = new Chat(engine());
      await chat.open();
      await chat.choose('centreClosed');
      await chat.choose('helpdeskRequest');
      for (const answer of [
        'Ana <img src=x onerror=alert(1)> [x](javascript:alert(1))',
        'B2 First',
        '14/06/2025',
        'Centro',
        'ana@example.org',
        'ABC123456',
        '1234',
      ])
        await chat.say(answer);
      expect(chat.text).toContain('Ana \\<img src=x onerror=alert(1)\\> \\[x\\](javascript:alert(1))');
    });

    it('an impossible date', async () => {
      const chat = new Chat(engine(), 'de');
      await chat.open();
      await chat.choose('centreClosed');
      await chat.choose('helpdeskRequest');
      await chat.say('Ana García');
      await chat.say('B2 First');
      await chat.say('30.02.2025');
      expect(chat.last.said).toEqual(['validation.examDateNoSuchDay', 'ask.examDate']);
      expect(chat.last.trace.expecting).toBe('examDate');
    });
  });

  it('keeps the stored state small', async () => {
    const chat = new Chat(engine());
    await chat.open();
    await chat.choose('centreClosed');
    await chat.choose('helpdeskRequest');
    for (const answer of ['Ana García', 'B2 First', '14/06/2025', 'Centro Madrid', 'ana@example.org', 'ABC123456'])
      await chat.say(answer);
    expect(JSON.stringify(chat.stored).length).toBeLessThan(600);
  });

  it('resumes a stored conversation after the content changed, or goes to the menu when its step is gone', async () => {
    const chat = new Chat(engine());
    await chat.open();
    await chat.choose('lockout');
    const stored = chat.stored!;

    const resumed = new Chat(engine());
    resumed.stored = { ...stored, content: 'older-version' };
    await resumed.say('1');
    expect(resumed.last.trace.state).toBe('lockoutCheck.idNumber');

    const gone = new Chat(engine());
    gone.stored = {
      ...stored,
      content: 'older-version',
      state: 'removedNode',
    };
    await gone.say('hello');
    // Back at the menu with a short notice first; not a new conversation's welcome.
    expect(gone.last.said[0]).toBe(NOTICES.stepGone);
    expect(gone.last.said).not.toContain(NOTICES.welcome);
    expect(gone.last.trace.state).toBe(content().dialog.start);

    const junk = new Chat(engine());
    junk.stored = { v: 1, content: 'x', snapshot: 'not a snapshot' } as never;
    await junk.open();
    expect(junk.last.trace.state).toBe('menu');
  });

  it('goes back past a step that content stored earlier had and the current content has not', async () => {
    const chat = new Chat(engine());
    await chat.open();
    await chat.choose('lockout');
    await chat.choose('lockoutCheck');
    const stored = chat.stored!;
    const older = { ...stored.context, trail: [...(stored.context.trail ?? []), 'removedNode'] };

    const resumed = new Chat(engine());
    resumed.stored = { ...stored, content: 'older-version', context: older };
    await resumed.say(english('common:commands.back').split('|')[0]!);
    expect(resumed.last.trace.state).toBe('lockout');
    expect(resumed.last.said).not.toContain('common:nothingToGoBack');
  });

  it('reads a conversation stored with misses and "did you mean" beside the snapshot, as it used to be', async () => {
    const chat = new Chat(engine());
    await chat.open();
    const { start, handover } = content().dialog;
    // The format of then: xstate's whole snapshot, resting at the start, with the counters beside it.
    const earlier = {
      v: 1,
      content: chat.stored!.content,
      snapshot: {
        status: 'active',
        value: start,
        historyValue: {},
        context: { trail: [], slots: {}, correcting: false, result: {} },
        children: {},
      },
      misses: 1,
      offered: { nodes: [handover ?? start] },
    } as unknown as StoredDialog;

    const stuck = new Chat(engine());
    stuck.stored = earlier;
    await stuck.say('🙈🙉🙊');
    expect(stuck.text).toBe(english('common:understanding.stuck'));

    const picked = new Chat(engine());
    picked.stored = earlier;
    await picked.say('1');
    expect(picked.last.trace.state).toBe(handover ?? start);
  });

  it('answers within the time limit and offers the manual path when the account service hangs', async () => {
    const hanging: AccountService = {
      checkLockStatus: () => new Promise(() => undefined),
      requestPasswordReset: () => new Promise(() => undefined),
      createHelpdeskRequest: () => new Promise(() => undefined),
    };
    const loaded = content();
    const bot = new ConversationEngine({
      content: loaded,
      i18n: createTranslator(loaded),
      accountService: hanging,
      now: () => NOW,
      serviceTimeoutMs: 150,
    });
    const chat = new Chat(bot);
    await chat.open();
    await chat.choose('forgotPassword');
    await chat.choose('passwordReset');
    await chat.say('ABC123456');
    expect(chat.text).toBe(english('passwordReset.failed'));
    expect(chat.text).toContain('https://candidates.cambridgeenglish.org');
    expect(chat.last.buttons.map((button) => button.title)).toEqual(['Try again', 'Main menu']);
  });
});
