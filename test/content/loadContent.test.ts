import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ContentError, loadContent, type ContentProblem } from '../../src/content/loadContent';
import { LANGUAGES } from '../../src/content/languages';
import { contentCopy, ROOT } from '../helpers';

function problemsOf(root: string): ContentProblem[] {
  try {
    loadContent(root);
  } catch (error) {
    if (error instanceof ContentError) return error.problems;
    throw error;
  }
  throw new Error('the broken content loaded without complaint');
}

/** 1-based line of the first line containing `text` in the dialog file under root. */
function lineOf(root: string, text: string, after = ''): number {
  const lines = readFileSync(path.join(root, 'dialogs', 'helpdesk.yaml'), 'utf8').split('\n');
  const start = after ? lines.findIndex((line) => line.includes(after)) : 0;
  return lines.findIndex((line, index) => index >= start && line.includes(text)) + 1;
}

describe('loading the shipped content', () => {
  it('loads the dialog and the five languages with no problem', () => {
    const content = loadContent(ROOT);
    expect(Object.keys(content.dialog.nodes)).toEqual(
      expect.arrayContaining(['menu', 'credentials', 'lockout', 'forgotPassword', 'lostEmail', 'findCentre', 'centreClosed']),
    );
    expect(Object.keys(content.resources).sort()).toEqual([...LANGUAGES].sort());
    expect(content.dialog.links.centreFinder).toBe('https://www.cambridgeenglish.org/find-a-centre/');
    expect(content.version).toMatch(/^[0-9a-f]{12}$/);
  });
});

describe('broken content is refused with the file, line and a plain reason', () => {
  it('names a choice that leads to a node that does not exist', () => {
    const copy = contentCopy();
    copy.edit('dialogs/helpdesk.yaml', (text) => text.replace('goto: missingId', 'goto: missingID'));
    const [problem, ...rest] = problemsOf(copy.root).filter((p) => p.message.includes('missingID'));
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ file: path.join('dialogs', 'helpdesk.yaml'), line: lineOf(copy.root, 'goto: missingID') });
    expect(problem!.message).toContain('leads to "missingID", but there is no node with that name');
  });

  it('names a text that is missing in one language, and the file to add it to', () => {
    const copy = contentCopy();
    copy.edit('locales/it/helpdesk.json', (text) => text.replace('"afterWait":', '"afterWaiting":'));
    const problems = problemsOf(copy.root);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ line: lineOf(copy.root, 'lockout.afterWait') });
    expect(problems[0]!.message).toContain(`"lockout.afterWait" is missing in ${path.join('locales', 'it', 'helpdesk.json')}`);
  });

  it('reports a text the bot itself needs when it is empty in one language', () => {
    const copy = contentCopy();
    copy.edit('locales/de/common.json', (text) => text.replace(/"notUnderstood": "[^"]*"/, '"notUnderstood": ""'));
    expect(problemsOf(copy.root)).toEqual([
      { file: path.join('locales', 'de', 'common.json'), message: 'the text "notUnderstood" is missing; the bot needs it' },
    ]);
  });

  it('points into a locale file that is not valid JSON', () => {
    const copy = contentCopy();
    copy.edit('locales/fr/common.json', (text) => text.replace('"empty": ', '"empty" '));
    const problem = problemsOf(copy.root).find((p) => p.file === path.join('locales', 'fr', 'common.json'))!;
    const line = readFileSync(path.join(copy.root, 'locales', 'fr', 'common.json'), 'utf8').split('\n').findIndex((l) => l.includes('"empty" ')) + 1;
    expect(problem.line).toBe(line);
    expect(problem.message).toContain('not valid JSON');
  });

  it('reports a misspelt field with its line', () => {
    const copy = contentCopy();
    copy.edit('dialogs/helpdesk.yaml', (text) => text.replace('    prompt: lockout.prompt', '    promt: lockout.prompt'));
    const problem = problemsOf(copy.root).find((p) => p.message.includes('promt'))!;
    expect(problem.line).toBe(lineOf(copy.root, 'lockout:', 'nodes:'));
    expect(problem.message).toContain('unknown field(s) "promt"');
  });

  it('reports a validator pattern that is not a regular expression', () => {
    const copy = contentCopy();
    copy.edit('dialogs/helpdesk.yaml', (text) => text.replace('pattern: "^[0-9]{4}$"', 'pattern: "^[0-9]{4$("'));
    const problem = problemsOf(copy.root).find((p) => p.message.includes('not a valid regular expression'))!;
    expect(problem.line).toBe(lineOf(copy.root, 'pattern: "^[0-9]{4$("'));
  });

  it('reports a question that names a validator that does not exist', () => {
    const copy = contentCopy();
    copy.edit('dialogs/helpdesk.yaml', (text) => text.replace('validator: examDate', 'validator: examDay'));
    const problem = problemsOf(copy.root).find((p) => p.message.includes('examDay'))!;
    expect(problem.line).toBe(lineOf(copy.root, 'validator: examDay'));
    expect(problem.message).toContain('no validator named "examDay"');
  });

  it('reports a node nobody can reach', () => {
    const copy = contentCopy();
    copy.edit('dialogs/helpdesk.yaml', (text) => `${text}\n  orphan:\n    topic: menu\n    say: [solved.body]\n`);
    const problem = problemsOf(copy.root).find((p) => p.message.includes('nobody can reach it'))!;
    expect(problem.line).toBe(lineOf(copy.root, 'orphan:'));
  });

  it('reports an action outcome with nowhere to go, and an unknown action', () => {
    const copy = contentCopy();
    copy.edit('dialogs/helpdesk.yaml', (text) => text.replace('      unverified: lockoutUnverified\n', '').replace('action: requestPasswordReset', 'action: sendResetEmail'));
    const messages = problemsOf(copy.root).map((p) => p.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringContaining('say where to go when "checkLockStatus" ends with "unverified"'),
        expect.stringContaining('unknown action "sendResetEmail"'),
      ]),
    );
  });

  it('reports a link that is not https', () => {
    const copy = contentCopy();
    copy.edit('dialogs/helpdesk.yaml', (text) => text.replace('login: https://candidates', 'login: http://candidates'));
    const problem = problemsOf(copy.root).find((p) => p.message.includes('https://'))!;
    expect(problem.line).toBe(lineOf(copy.root, 'login: http://candidates'));
  });

  it('reports YAML that does not parse, with its position', () => {
    const copy = contentCopy();
    copy.edit('dialogs/helpdesk.yaml', (text) => text.replace('    say: [menu.intro]', '    say: [menu.intro'));
    const [problem] = problemsOf(copy.root);
    expect(problem!.message).toContain('not valid YAML');
    expect(problem!.line).toBeGreaterThanOrEqual(lineOf(copy.root, 'say: [menu.intro'));
  });

  it('lists every problem at once', () => {
    const copy = contentCopy();
    copy.edit('dialogs/helpdesk.yaml', (text) => text.replace('goto: missingId', 'goto: nowhere').replace('validator: exam\n', 'validator: exams\n'));
    copy.edit('locales/es/helpdesk.json', (text) => text.replace('"spam":', '"spamm":'));
    const messages = problemsOf(copy.root).map((p) => p.message).join('\n');
    expect(messages).toContain('"nowhere"');
    expect(messages).toContain('"exams"');
    expect(messages).toContain('forgotPassword.spam');
  });

  it('formats the error for people: one line per problem with file:line:column', () => {
    const copy = contentCopy();
    copy.edit('dialogs/helpdesk.yaml', (text) => text.replace('goto: missingId', 'goto: missingID'));
    try {
      loadContent(copy.root);
      throw new Error('loaded');
    } catch (error) {
      expect((error as Error).message).toMatch(new RegExp(`dialogs/helpdesk\\.yaml:${lineOf(copy.root, 'goto: missingID')}:\\d+ +nodes\\.credentials\\.choices\\[2\\]\\.goto: leads to "missingID"`));
    }
  });
});
