/**
 * Lower case, no accents, single spaces, and no punctuation or emoji unless `keepPunctuation` is set
 * (dates need it: "14.06.2025" and "14/6" are told apart by their separators).
 */
export function fold(text: string, options: { keepPunctuation?: boolean } = {}): string {
  const plain = text.normalize('NFKD').replace(/\p{M}/gu, '').replace(/ß/g, 'ss').toLowerCase();
  return plain.replace(options.keepPunctuation ? /\s+/gu : /[^\p{L}\p{N}]+/gu, ' ').trim();
}

/** Scripts written without spaces between words: each of their letters counts as a word. */
const UNSPACED_SCRIPTS = ['Han', 'Hiragana', 'Katakana', 'Thai', 'Lao', 'Khmer', 'Myanmar'];
const UNSPACED = new RegExp(`[${UNSPACED_SCRIPTS.map((name) => `\\p{Script=${name}}`).join('')}]`, 'gu');

/**
 * How many words these are, as a measure of how much a message says: in scripts written without spaces (Chinese,
 * Japanese, Thai…) each letter counts as one, so "我忘记了密码" is a sentence, not a word.
 */
export function countWords(words: readonly string[]): number {
  return words.reduce((total, word) => {
    const unspaced = word.match(UNSPACED)?.length ?? 0;
    return total + (unspaced === 0 ? 1 : unspaced + (word.replace(UNSPACED, '') ? 1 : 0));
  }, 0);
}

/** The words of a folded text, with every digit read as 0 so that "SIR094701" and "ABC123456" look alike. */
export function wordsOf(folded: string): string[] {
  return folded ? folded.replace(/\d/g, '0').split(' ') : [];
}

/** A markdown link, `[label](target)`, as a candidate might paste or type one; the target may hold `(…)`. */
const MARKDOWN_LINK = /\[([^\]]*)\]\(\s*((?:[^()\s]|\([^()\s]*\))*)(?:\s+"[^"]*")?\s*\)/gu;

/**
 * What a message says once its markdown links are read as people see them: a web or mail link as its label, a
 * link with any other target (`javascript:`, `data:`) as nothing, so it can neither name a language nor a topic.
 */
export function withoutScriptLinks(text: string): string {
  return text
    .replace(MARKDOWN_LINK, (_link, label: string, target: string) =>
      /^(https?:|mailto:)/iu.test(target) ? label : '',
    )
    .trim();
}
