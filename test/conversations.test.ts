import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createTranslator } from '../src/content/i18n';
import { LANGUAGES } from '../src/dialog/languages';
import { ConversationEngine } from '../src/conversation/engine';
import { inMemoryAccounts, loadAccounts } from '../src/referenceService/referenceAccounts';
import { parseScript, runScript } from '../tools/conversationScript';
import { content, NOW, ROOT } from './support/helpers';

/** Every file in test/conversations/ runs in all five languages. */
const folder = path.join(__dirname, 'conversations');
const files = readdirSync(folder)
  .filter((file) => file.endsWith('.yaml'))
  .sort();
const cases = files.flatMap((file) => LANGUAGES.map((language) => [file, language] as const));
const i18n = createTranslator(content());

function freshEngine(): ConversationEngine {
  const accounts = inMemoryAccounts(loadAccounts(path.join(ROOT, 'demo', 'accounts.json')), () => NOW);
  return new ConversationEngine({ content: content(), i18n, accountService: accounts, now: () => NOW });
}

describe('conversation tests written as data', () => {
  it('has scripts for every topic and every form', () => {
    const scripts = files.map((file) => readFileSync(path.join(folder, file), 'utf8')).join('\n');
    for (const topic of ['credentials', 'lockout', 'forgotPassword', 'lostEmail', 'findCentre', 'centreClosed'])
      expect(scripts).toContain(`topic: ${topic}`);
    for (const form of ['lockoutCheck', 'passwordReset', 'helpdeskRequest'])
      expect(scripts).toContain(`state: ${form}.`);
  });

  it.each(cases)('%s in %s', async (file, language) => {
    const script = parseScript(readFileSync(path.join(folder, file), 'utf8'), file);
    const reports = await runScript(freshEngine(), i18n, script, language);
    const failed = reports.find((report) => report.failures.length > 0);
    if (failed) {
      throw new Error(
        `${file} [${language}] step ${failed.step} ${failed.action}:\n  ${failed.failures.join('\n  ')}\n` +
          `  (the bot was at ${failed.result?.trace.state})`,
      );
    }
    expect(reports).toHaveLength(script.steps.length);
  });

  it('fails a script whose expectation does not hold, saying which step and why', async () => {
    const script = parseScript(
      'description: wrong\nsteps:\n  - open: true\n  - click: menu.choice.lockout\n' +
        '    expect: { state: forgotPassword }\n',
      'inline',
    );
    const reports = await runScript(freshEngine(), i18n, script, 'it');
    expect(reports[1]!.failures).toEqual(['state should be "forgotPassword" but is "lockout"']);
  });

  it('fails any reply that offers two buttons with the same title, whatever the script expects', async () => {
    const alike = createTranslator(content());
    const closed = alike.getFixedT('fr')('menu.choice.centreClosed');
    alike.addResource('fr', 'helpdesk', 'menu.choice.findCentre', closed);
    const accounts = inMemoryAccounts(loadAccounts(path.join(ROOT, 'demo', 'accounts.json')), () => NOW);
    const engine = new ConversationEngine({
      content: content(),
      i18n: alike,
      accountService: accounts,
      now: () => NOW,
    });
    const reports = await runScript(engine, alike, parseScript('description: x\nsteps:\n  - open: true\n', 'x'), 'fr');
    expect(reports[0]!.failures).toEqual([`offers two buttons titled "${closed}"`]);
  });

  it('fails a script that clicks a button that is not there', async () => {
    const script = parseScript(
      'description: wrong\nsteps:\n  - open: true\n  - click: lockout.choice.check\n',
      'inline',
    );
    const reports = await runScript(freshEngine(), i18n, script, 'en');
    expect(reports[1]!.failures[0]).toMatch(
      /^no button "lockout.choice.check" to click; offered: menu.choice.credentials/,
    );
  });
});
