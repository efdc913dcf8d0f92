import { parseDocument } from 'yaml';

/**
 * Content files changed so that the content checks pass but publishing is refused: the tests that check a refusal
 * change the draft's files with these.
 */

/** The dialog with the menu's first two choices leading to each other's step: the conversation tests fail. */
export function swapMenuChoices(dialogText: string): string {
  const dialog = parseDocument(dialogText);
  const start = String(dialog.get('start'));
  const first = dialog.getIn(['nodes', start, 'choices', 0, 'goto']);
  dialog.setIn(['nodes', start, 'choices', 0, 'goto'], dialog.getIn(['nodes', start, 'choices', 1, 'goto']));
  dialog.setIn(['nodes', start, 'choices', 1, 'goto'], first);
  return String(dialog);
}

/** A language's examples with the first two topics' lists swapped: the model learns the wrong thing. */
export function swapFirstTopicsExamples(examplesText: string): string {
  const examples = parseDocument(examplesText);
  const topics = (examples.get('topics') as { items: Array<{ key: { value: string } }> }).items.map(
    (item) => item.key.value,
  );
  const [a, b] = [topics[0]!, topics[1]!];
  const listA = examples.getIn(['topics', a]);
  examples.setIn(['topics', a], examples.getIn(['topics', b]));
  examples.setIn(['topics', b], listA);
  return String(examples);
}
