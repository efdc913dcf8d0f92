import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { checkContent, ContentError, loadContent, type ContentProblem } from '../../src/content/loadContent';
import { LANGUAGES } from '../../src/dialog/languages';
import type { Rule } from '../../src/content/problems';
import { parse } from 'yaml';
import { contentCopy, ROOT } from '../support/helpers';

const DIALOG = path.join('dialogs', 'helpdesk.yaml');
const locale = (language: string, ns: string) => path.join('locales', language, `${ns}.json`);
const examples = (language: string) => path.join('dialogs', 'understanding', `${language}.yaml`);

/** 1-based line of the first line containing `text` (after the first line containing `after`). */
function lineIn(root: string, file: string, text: string, after = ''): number {
  const lines = readFileSync(path.join(root, file), 'utf8').split('\n');
  const start = after ? lines.findIndex((line) => line.includes(after)) : 0;
  const index = lines.findIndex((line, at) => at >= start && line.includes(text));
  if (index < 0) throw new Error(`"${text}" is not in ${file}`);
  return index + 1;
}

interface Fixture {
  rule: Rule;
  /** Breaks a copy of the real content. */
  breakIt(copy: ReturnType<typeof contentCopy>): void;
  /** The file and line the problem must point at. */
  expect: (root: string) => { file: string; line?: number };
  severity?: 'error' | 'warning';
}

/** The French main menu's button texts, as the content words them today. */
const frenchMenu = (
  JSON.parse(readFileSync(path.join(ROOT, locale('fr', 'helpdesk')), 'utf8')) as {
    menu: { choice: Record<string, string> };
  }
).menu.choice;

const fixtures: Fixture[] = [
  {
    rule: 'yaml-syntax',
    breakIt: (copy) => copy.edit(DIALOG, (t) => t.replace('    say: [menu.intro]', '    say: [menu.intro')),
    // The line that opened the list, not the later one where the parser noticed it was never closed.
    expect: (root) => ({ file: DIALOG, line: lineIn(root, DIALOG, '    say: [menu.intro') }),
  },
  {
    rule: 'json-syntax',
    breakIt: (copy) => copy.edit(locale('fr', 'common'), (t) => t.replace('"empty": ', '"empty" ')),
    expect: (root) => ({ file: locale('fr', 'common'), line: lineIn(root, locale('fr', 'common'), '"empty" ') }),
  },
  {
    rule: 'missing-file',
    breakIt: (copy) => rmSync(path.join(copy.root, locale('de', 'common'))),
    expect: () => ({ file: locale('de', 'common') }),
  },
  {
    rule: 'schema',
    breakIt: (copy) => copy.edit(DIALOG, (t) => t.replace('    prompt: lockout.prompt', '    promt: lockout.prompt')),
    expect: (root) => ({ file: DIALOG, line: lineIn(root, DIALOG, '  lockout:', 'nodes:') }),
  },
  {
    rule: 'unknown-target',
    breakIt: (copy) => copy.edit(DIALOG, (t) => t.replace('goto: missingId', 'goto: missingID')),
    expect: (root) => ({ file: DIALOG, line: lineIn(root, DIALOG, 'goto: missingID') }),
  },
  {
    rule: 'duplicate-choice',
    breakIt: (copy) =>
      copy.edit(DIALOG, (t) =>
        t.replace(
          '        goto: centreClosed\n\n  credentials:',
          '        goto: centreClosed\n      - label: menu.choice.lockout\n        goto: lockout\n\n  credentials:',
        ),
      ),
    expect: (root) => ({ file: DIALOG, line: lineIn(root, DIALOG, 'goto: lockout', 'goto: centreClosed') }),
  },
  {
    rule: 'duplicate-button',
    // A support lead words two of the menu's buttons alike in French.
    breakIt: (copy) =>
      copy.edit(locale('fr', 'helpdesk'), (t) =>
        t.replace(
          `"findCentre": ${JSON.stringify(frenchMenu.findCentre)}`,
          `"findCentre": ${JSON.stringify(frenchMenu.centreClosed)}`,
        ),
      ),
    expect: (root) => ({
      file: locale('fr', 'helpdesk'),
      line: lineIn(root, locale('fr', 'helpdesk'), `"centreClosed": ${JSON.stringify(frenchMenu.centreClosed)}`),
    }),
  },
  {
    rule: 'unreachable',
    breakIt: (copy) => copy.edit(DIALOG, (t) => `${t}\n  orphan:\n    topic: menu\n    say: [solved.body]\n`),
    expect: (root) => ({ file: DIALOG, line: lineIn(root, DIALOG, 'orphan:') }),
  },
  {
    rule: 'dead-end',
    breakIt: (copy) => copy.edit(DIALOG, (t) => t.replace('start: menu', 'start: solved')),
    expect: (root) => ({ file: DIALOG, line: lineIn(root, DIALOG, 'choices: []') }),
  },
  {
    rule: 'unknown-action',
    breakIt: (copy) => copy.edit(DIALOG, (t) => t.replace('action: requestPasswordReset', 'action: sendResetEmail')),
    expect: (root) => ({ file: DIALOG, line: lineIn(root, DIALOG, 'action: sendResetEmail') }),
  },
  {
    rule: 'missing-outcome',
    breakIt: (copy) => copy.edit(DIALOG, (t) => t.replace('      unverified: lockoutUnverified\n', '')),
    expect: (root) => ({ file: DIALOG, line: lineIn(root, DIALOG, 'outcomes:', 'lockoutCheck:') }),
  },
  {
    rule: 'unknown-outcome',
    breakIt: (copy) =>
      copy.edit(DIALOG, (t) =>
        t.replace(
          '      unverified: lockoutUnverified\n',
          '      unverified: lockoutUnverified\n      expired: menu\n',
        ),
      ),
    expect: (root) => ({ file: DIALOG, line: lineIn(root, DIALOG, 'expired: menu') }),
  },
  {
    rule: 'missing-input',
    breakIt: (copy) =>
      copy.edit(DIALOG, (t) =>
        t.replace(
          '      - slot: secretNumber\n        prompt: ask.secretNumber\n        validator: secretNumber\n' +
            '        missing: { label: ask.missing.secretNumber, goto: missingId }\n' +
            '    action: checkLockStatus',
          '    action: checkLockStatus',
        ),
      ),
    expect: (root) => ({ file: DIALOG, line: lineIn(root, DIALOG, 'ask:', 'lockoutCheck:') }),
  },
  {
    rule: 'duplicate-slot',
    breakIt: (copy) =>
      copy.edit(DIALOG, (t) =>
        t.replace(
          '        validator: idNumber\n        missing: { label: ask.missing.idNumber, goto: missingId }\n' +
            '    action: requestPasswordReset',
          '        validator: idNumber\n      - slot: idNumber\n        prompt: ask.idNumber\n' +
            '        validator: idNumber\n    action: requestPasswordReset',
        ),
      ),
    expect: (root) => ({ file: DIALOG, line: lineIn(root, DIALOG, 'slot: idNumber', 'passwordReset:') + 3 }),
  },
  {
    rule: 'unknown-validator',
    breakIt: (copy) => copy.edit(DIALOG, (t) => t.replace('validator: examDate', 'validator: examDay')),
    expect: (root) => ({ file: DIALOG, line: lineIn(root, DIALOG, 'validator: examDay') }),
  },
  {
    rule: 'inconsistent-validator',
    breakIt: (copy) =>
      copy.edit(DIALOG, (t) =>
        t.replace(
          '        validator: idNumber\n        missing: { label: ask.missing.idNumber, goto: missingId }\n' +
            '    action: requestPasswordReset',
          '        validator: secretNumber\n    action: requestPasswordReset',
        ),
      ),
    expect: (root) => ({ file: DIALOG, line: lineIn(root, DIALOG, 'validator: secretNumber', 'passwordReset:') }),
  },
  {
    rule: 'missing-edit-label',
    breakIt: (copy) => copy.edit(DIALOG, (t) => t.replace('        edit: helpdeskRequest.edit.exam\n', '')),
    expect: (root) => ({ file: DIALOG, line: lineIn(root, DIALOG, '- slot: exam', 'helpdeskRequest:') }),
  },
  {
    rule: 'bad-pattern',
    breakIt: (copy) => copy.edit(DIALOG, (t) => t.replace('pattern: "^[0-9]{4}$"', 'pattern: "^[0-9]{4$("')),
    expect: (root) => ({ file: DIALOG, line: lineIn(root, DIALOG, 'pattern: "^[0-9]{4$("') }),
  },
  {
    rule: 'unsafe-pattern',
    breakIt: (copy) => copy.edit(DIALOG, (t) => t.replace('pattern: "^[0-9]{4}$"', 'pattern: "^([0-9]+)+$"')),
    expect: (root) => ({ file: DIALOG, line: lineIn(root, DIALOG, 'pattern: "^([0-9]+)+$"') }),
  },
  {
    rule: 'missing-text',
    breakIt: (copy) => copy.edit(locale('it', 'helpdesk'), (t) => t.replace('"afterWait":', '"afterWaiting":')),
    expect: (root) => ({ file: DIALOG, line: lineIn(root, DIALOG, 'lockout.afterWait') }),
  },
  {
    rule: 'missing-translation',
    breakIt: (copy) =>
      copy.edit(locale('en', 'common'), (t) => t.replace('"choice": {', '"choice": {\n    "later": "Maybe later",')),
    expect: (root) => ({ file: locale('es', 'common'), line: lineIn(root, locale('es', 'common'), '"choice": {') }),
  },
  {
    rule: 'unused-text',
    severity: 'warning',
    breakIt: (copy) => {
      const later = {
        en: 'Maybe later',
        es: 'Quizá más tarde',
        it: 'Magari più tardi',
        fr: 'Peut-être plus tard',
        de: 'Vielleicht später',
      };
      for (const [language, text] of Object.entries(later)) {
        copy.edit(locale(language, 'common'), (t) => t.replace('"choice": {', `"choice": {\n    "later": "${text}",`));
      }
    },
    expect: (root) => ({ file: locale('en', 'common'), line: lineIn(root, locale('en', 'common'), '"later"') }),
  },
  {
    rule: 'empty-text',
    breakIt: (copy) =>
      copy.edit(locale('de', 'common'), (t) => t.replace(/"notUnderstood": "[^"]*"/, '"notUnderstood": "  "')),
    expect: (root) => ({ file: locale('de', 'common'), line: lineIn(root, locale('de', 'common'), '"notUnderstood"') }),
  },
  {
    rule: 'not-text',
    breakIt: (copy) =>
      copy.edit(locale('fr', 'common'), (t) => t.replace(/"empty": "[^"]*"/, '"empty": ["Votre message était vide."]')),
    expect: (root) => ({ file: locale('fr', 'common'), line: lineIn(root, locale('fr', 'common'), '"empty"') }),
  },
  {
    rule: 'placeholders',
    breakIt: (copy) => copy.edit(locale('de', 'helpdesk'), (t) => t.replace('**{{reference}}**', '**{{referenz}}**')),
    expect: (root) => ({
      file: locale('de', 'helpdesk'),
      line: lineIn(root, locale('de', 'helpdesk'), '{{referenz}}'),
    }),
  },
  {
    rule: 'unknown-placeholder',
    breakIt: (copy) =>
      copy.edit(locale('es', 'helpdesk'), (t) => t.replace('aquí: [{{links.login}}]', 'aquí: [{{links.logon}}]')),
    expect: (root) => ({
      file: locale('es', 'helpdesk'),
      line: lineIn(root, locale('es', 'helpdesk'), '{{links.logon}}'),
    }),
  },
  {
    rule: 'plural-forms',
    breakIt: (copy) => copy.edit(locale('it', 'helpdesk'), (t) => t.replace('"body_one"', '"body_uno"')),
    expect: (root) => ({
      file: locale('it', 'helpdesk'),
      line: lineIn(root, locale('it', 'helpdesk'), '"lockoutLocked": {'),
    }),
  },
  {
    rule: 'untranslated',
    breakIt: (copy) =>
      copy.edit(locale('it', 'helpdesk'), (t) =>
        t.replace('"Non trovo il mio numero ID"', '"I can\'t find my ID number"'),
      ),
    expect: (root) => ({
      file: locale('it', 'helpdesk'),
      line: lineIn(root, locale('it', 'helpdesk'), "I can't find my ID number"),
    }),
  },
  {
    rule: 'bad-url',
    breakIt: (copy) =>
      copy.edit(locale('fr', 'helpdesk'), (t) =>
        t.replace(
          'centres : [{{links.centreFinder}}]({{links.centreFinder}})',
          'centres : [le site](http://example.org/centres)',
        ),
      ),
    expect: (root) => ({
      file: locale('fr', 'helpdesk'),
      line: lineIn(root, locale('fr', 'helpdesk'), 'http://example.org/centres'),
    }),
  },
  {
    rule: 'few-examples',
    // Italian keeps only three ways of saying "I'm locked out".
    breakIt: (copy) =>
      copy.edit(examples('it'), (t) => {
        const start = t.indexOf('  lockout:\n') + '  lockout:\n'.length;
        const end = t.indexOf('  forgotPassword:');
        return t.slice(0, start) + t.slice(start, end).split('\n').slice(0, 3).join('\n') + '\n' + t.slice(end);
      }),
    expect: (root) => ({ file: examples('it'), line: lineIn(root, examples('it'), '  lockout:') }),
  },
  {
    rule: 'conflicting-example',
    breakIt: (copy) =>
      copy.edit(examples('fr'), (t) =>
        t
          .replace('  lockout:\n', '  lockout:\n    - "Mon compte est bloqué !"\n')
          .replace('  yes:\n', '  yes:\n    - "mon compte est bloque"\n'),
      ),
    expect: (root) => ({ file: examples('fr'), line: lineIn(root, examples('fr'), '"mon compte est bloque"') }),
  },
  {
    // An off-topic example made of the same words as a topic's example pulls that topic's messages away.
    rule: 'off-topic-collision',
    breakIt: (copy) =>
      copy.edit(examples('it'), (t) =>
        t
          .replace('  lockout:\n', '  lockout:\n    - "account bloccato da ieri"\n')
          .replace('  offTopic:\n', '  offTopic:\n    - "da ieri account bloccato"\n'),
      ),
    expect: (root) => ({ file: examples('it'), line: lineIn(root, examples('it'), '"da ieri account bloccato"') }),
  },
  {
    rule: 'glossary',
    breakIt: (copy) =>
      copy.edit(locale('de', 'helpdesk'), (t) => t.replace('über die Prüfungszentren-Suche', 'über die Zentrensuche')),
    expect: (root) => ({
      file: locale('de', 'helpdesk'),
      line: lineIn(root, locale('de', 'helpdesk'), 'über die Zentrensuche'),
    }),
  },
];

describe('the shipped content', () => {
  it('loads with no error and no warning', () => {
    const { content, problems } = checkContent(ROOT);
    expect(problems).toEqual([]);
    expect(Object.keys(content!.dialog.nodes)).toEqual(
      expect.arrayContaining([
        'menu',
        'credentials',
        'lockout',
        'forgotPassword',
        'lostEmail',
        'findCentre',
        'centreClosed',
      ]),
    );
    expect(Object.keys(content!.resources).sort()).toEqual([...LANGUAGES].sort());
    expect(content!.dialog.links.centreFinder).toBe('https://www.cambridgeenglish.org/find-a-centre/');
  });
});

describe('each mistake is reported with its rule, file and line', () => {
  it.each(fixtures.map((fixture) => [fixture.rule, fixture] as const))('%s', (_rule, fixture) => {
    const copy = contentCopy();
    fixture.breakIt(copy);
    const { content, problems } = checkContent(copy.root);
    const found = problems.filter((problem) => problem.rule === fixture.rule);
    expect(found.length).toBeGreaterThan(0);
    expect(found[0]).toMatchObject({ ...fixture.expect(copy.root), severity: fixture.severity ?? 'error' });
    expect(found[0]!.message.length).toBeGreaterThan(20);
    if ((fixture.severity ?? 'error') === 'error') expect(content).toBeUndefined();
    else expect(content).toBeDefined();
  });

  it('covers every rule the checker has', () => {
    const source = readFileSync(path.join(ROOT, 'src', 'content', 'problems.ts'), 'utf8');
    const rules = [
      ...source
        .slice(source.indexOf('export type Rule'), source.indexOf(';', source.indexOf('export type Rule')))
        .matchAll(/'([a-z-]+)'/g),
    ].map((m) => m[1]);
    expect(fixtures.map((fixture) => fixture.rule).sort()).toEqual(rules.sort());
  });
});

describe('reporting', () => {
  function problemsOf(root: string): ContentProblem[] {
    return checkContent(root).problems;
  }

  it('reports one mistake once', () => {
    const copy = contentCopy();
    copy.edit(locale('it', 'helpdesk'), (text) => text.replace('"afterWait":', '"afterWaiting":'));
    expect(
      problemsOf(copy.root)
        .map((problem) => problem.rule)
        .sort(),
    ).toEqual(['missing-text', 'unused-text']);
  });

  it('lists every problem at once', () => {
    const copy = contentCopy();
    copy.edit(DIALOG, (text) =>
      text.replace('goto: missingId', 'goto: nowhere').replace('validator: exam\n', 'validator: exams\n'),
    );
    copy.edit(locale('es', 'helpdesk'), (text) => text.replace('"spam":', '"spamm":'));
    const messages = problemsOf(copy.root)
      .map((p) => p.message)
      .join('\n');
    expect(messages).toContain('"nowhere"');
    expect(messages).toContain('"exams"');
    expect(messages).toContain('forgotPassword.spam');
  });

  it('explains a YAML mistake in plain words, and still runs the checks that do not need the dialog', () => {
    const copy = contentCopy();
    const start = `start: ${String((parse(readFileSync(path.join(ROOT, DIALOG), 'utf8')) as { start: string }).start)}`;
    copy.edit(DIALOG, (text) => text.replace(start, `${start}\nbroken: [open`));
    const [key] = Object.keys(JSON.parse(readFileSync(path.join(ROOT, locale('fr', 'common')), 'utf8')) as object);
    copy.edit(locale('fr', 'common'), (text) => text.replace(new RegExp(`("${key}": )"[^"]*"`), '$1""'));
    const problems = problemsOf(copy.root);
    const syntax = problems.filter((problem) => problem.rule === 'yaml-syntax');
    expect(syntax).toHaveLength(1);
    expect(syntax[0]).toMatchObject({ file: DIALOG, line: lineIn(copy.root, DIALOG, 'broken: [open') });
    expect(syntax[0]!.message).toMatch(/^not valid YAML: a list opened with "\[" is not closed/);
    expect(syntax[0]!.message).toContain('broken: [open');
    expect(problems).toContainEqual(expect.objectContaining({ file: locale('fr', 'common'), rule: 'empty-text' }));
    // Without the dialog nothing is known to be used: no text is called unused.
    expect(problems.filter((problem) => problem.rule === 'unused-text')).toEqual([]);
  });

  it('refuses to load, with one line per problem as file:line:column [rule] message', () => {
    const copy = contentCopy();
    copy.edit(DIALOG, (text) => text.replace('goto: missingId', 'goto: missingID'));
    expect(() => loadContent(copy.root)).toThrow(ContentError);
    try {
      loadContent(copy.root);
    } catch (error) {
      expect((error as Error).message).toMatch(
        new RegExp(
          `dialogs/helpdesk\\.yaml:${lineIn(copy.root, DIALOG, 'goto: missingID')}:\\d+ +\\[unknown-target\\] ` +
            'nodes\\.credentials\\.choices\\[2\\]\\.goto: leads to "missingID"',
        ),
      );
    }
  });

  it('lets a name that is the same in every language through when it is on the allowlist', () => {
    const copy = contentCopy();
    copy.edit(locale('it', 'helpdesk'), (t) =>
      t.replace('"Non trovo il mio numero ID"', '"I can\'t find my ID number"'),
    );
    writeFileSync(
      path.join(copy.root, 'locales', 'untranslated-allowed.json'),
      JSON.stringify({ keys: ['credentials.choice.missingId'] }),
    );
    expect(problemsOf(copy.root)).toEqual([]);
  });
});
