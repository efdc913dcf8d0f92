import { BUTTONS } from '../dialog/systemKeys';
import { fold } from '../dialog/text';
import { isFormNode, type DialogFile } from './dialogSchema';
import { flatten, type LocaleFile } from './localeFiles';
import { saying, type ContentProblem } from './problems';
import { splitKey } from './textChecks';

/** The text keys of the buttons shown together on each step: its choices and the moves the bot adds. */
function buttonGroups(dialog: DialogFile): Array<{ step: string; keys: string[] }> {
  const groups: Array<{ step: string; keys: string[] }> = [];
  for (const [id, node] of Object.entries(dialog.nodes)) {
    if (isFormNode(node)) {
      for (const question of node.ask) {
        const missing = question.missing ? [question.missing.label] : [];
        groups.push({ step: `${id}.${question.slot}`, keys: [...missing, BUTTONS.back, BUTTONS.cancel] });
      }
      if (node.confirm) {
        const edits = node.ask.flatMap((question) => (question.edit ? [question.edit] : []));
        groups.push({ step: `${id}.confirm`, keys: [node.confirm.send, ...edits, BUTTONS.cancel] });
      }
    } else {
      const moves = id === dialog.start ? [] : node.final ? [BUTTONS.menu] : [BUTTONS.back, BUTTONS.menu];
      groups.push({ step: id, keys: [...node.choices.map((choice) => choice.label), ...moves] });
    }
  }
  return groups;
}

/** Two buttons of one step that read the same in a language leave the candidate guessing which is which. */
export function checkButtonTitles(dialog: DialogFile, files: readonly LocaleFile[], problems: ContentProblem[]): void {
  const groups = buttonGroups(dialog);
  const languages = [...new Set(files.map((file) => file.language))];
  for (const language of languages) {
    const fileOf = (key: string) => files.find((file) => file.language === language && file.ns === splitKey(key).ns);
    const textOf = (key: string) => {
      const value = flatten(fileOf(key)?.data ?? {}).find(([path]) => path === splitKey(key).path)?.[1];
      return typeof value === 'string' ? fold(value) : undefined;
    };
    for (const { step, keys } of groups) {
      const seen = new Map<string, string>();
      for (const key of new Set(keys)) {
        const text = textOf(key);
        if (!text) continue;
        const first = seen.get(text);
        if (first) {
          const file = fileOf(key)!;
          problems.push({
            file: file.file,
            ...file.locate(splitKey(key).path),
            rule: 'duplicate-button',
            severity: 'error',
            ...saying('problem.sameButtons', { key, first, language, step }),
          });
        } else seen.set(text, key);
      }
    }
  }
}
