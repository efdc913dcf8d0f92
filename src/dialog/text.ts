/** Lower case, no accents, no punctuation or emoji, single spaces. */
export function fold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/ß/g, 'ss')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** The words of a folded text, with every digit read as 0 so that "SIR094701" and "ABC123456" look alike. */
export function wordsOf(folded: string): string[] {
  return folded ? folded.replace(/\d/g, '0').split(' ') : [];
}
