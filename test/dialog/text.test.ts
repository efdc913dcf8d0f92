import { LANGUAGES, LOCALES, languageOf } from '../../src/dialog/languages';
import { countWords, fold, withoutScriptLinks, wordsOf } from '../../src/dialog/text';

describe('folding text as people type it', () => {
  it('drops case, accents, punctuation and emoji, so spellings of one word compare equal', () => {
    expect(fold('  Réinitialiser mon MOT-DE-PASSE !!! 🙏')).toBe('reinitialiser mon mot de passe');
    expect(fold('Straße')).toBe(fold('STRASSE'));
    expect(fold('contraseña')).toBe('contrasena');
  });

  it('keeps the separators a date needs when asked to', () => {
    expect(fold(' 14.  Juni   2025 ', { keepPunctuation: true })).toBe('14. juni 2025');
    expect(fold('14/06/2025', { keepPunctuation: true })).toBe('14/06/2025');
    expect(fold('14/06/2025')).toBe('14 06 2025');
  });

  it('reads every digit alike, so one ID number looks like another', () => {
    expect(wordsOf(fold('my id SIR094701'))).toEqual(['my', 'id', 'sir000000']);
    expect(wordsOf(fold('4701'))).toEqual(wordsOf(fold('1234')));
    expect(wordsOf('')).toEqual([]);
  });

  it('counts each letter of a script written without spaces as a word, so a Chinese sentence is not one word', () => {
    expect(countWords(wordsOf(fold('I forgot my password')))).toBe(4);
    expect(countWords(wordsOf(fold('我忘记了密码，怎么办')))).toBe(9);
    expect(countWords(wordsOf(fold('パスワード')))).toBeGreaterThanOrEqual(4);
    expect(countWords(wordsOf(fold('ID号码')))).toBe(3);
    expect(countWords([])).toBe(0);
  });
});

describe('the languages', () => {
  it('each is shown in a locale of that same language', () => {
    for (const language of LANGUAGES) expect(languageOf(LOCALES[language])).toBe(language);
  });
});

describe('links typed in a message', () => {
  it('reads a web link as its label and a link with a script target as nothing', () => {
    expect(withoutScriptLinks('[Deutsch](javascript:x)')).toBe('');
    expect(withoutScriptLinks('[click](javascript:alert(1))')).toBe('');
    expect(withoutScriptLinks('see [my page](https://example.org) please')).toBe('see my page please');
    expect(withoutScriptLinks('[Deutsch](JavaScript:x) bitte')).toBe('bitte');
    expect(withoutScriptLinks('[x](data:text/html,hi)')).toBe('');
    expect(withoutScriptLinks('my id is [SIR094701]')).toBe('my id is [SIR094701]');
  });
});
