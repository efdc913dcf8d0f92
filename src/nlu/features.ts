import { fold, wordsOf } from '../dialog/text';

/** How a message is turned into features: which pieces of it the model may weigh. */
export interface FeatureSpec {
  /** Whole words ("w:locked"). */
  words: boolean;
  /** Pairs of neighbouring words ("b:forgot password"). */
  bigrams: boolean;
  /** Letter sequences of these lengths inside each word, with the word's edges marked (" loc", "ked "). */
  charLengths: readonly number[];
}

/**
 * The features of a text and how often each occurs. Letter sequences make the model forgiving of typos,
 * missing accents and inflections ("bloqueada", "bloqueado", "blocked"); words and pairs carry the meaning.
 */
export function featuresOf(text: string, spec: FeatureSpec): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (feature: string) => counts.set(feature, (counts.get(feature) ?? 0) + 1);
  const words = wordsOf(fold(text));
  words.forEach((word, index) => {
    if (spec.words) add(`w:${word}`);
    if (spec.bigrams && index > 0) add(`b:${words[index - 1]} ${word}`);
    const padded = ` ${word} `;
    for (const length of spec.charLengths) {
      for (let start = 0; start + length <= padded.length; start++) add(padded.slice(start, start + length));
    }
  });
  return counts;
}
