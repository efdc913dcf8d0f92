/**
 * Flags patterns that can take exponential time on a crafted answer (catastrophic backtracking):
 * a repeated group that itself contains a repetition, such as (a+)+, (\d*)*, (x|y+){2,}.
 * This is the "star height > 1" test that safe-regex uses; it errs on the side of flagging.
 */
export function isBacktrackingSafe(pattern: string): boolean {
  // For each open group: does it contain a repetition?
  const groups: boolean[] = [];
  let lastGroupHadRepeat = false;
  let inClass = false;
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index]!;
    if (char === '\\') {
      index += 1;
      lastGroupHadRepeat = false;
      continue;
    }
    if (inClass) {
      if (char === ']') inClass = false;
      continue;
    }
    if (char === '[') {
      inClass = true;
      lastGroupHadRepeat = false;
      continue;
    }
    if (char === '(') {
      groups.push(false);
      lastGroupHadRepeat = false;
      continue;
    }
    if (char === ')') {
      const hadRepeat = groups.pop() ?? false;
      if (hadRepeat && groups.length > 0) groups[groups.length - 1] = true;
      lastGroupHadRepeat = hadRepeat;
      continue;
    }
    const repeats = char === '*' || char === '+' || (char === '{' && isCountedRepeat(pattern.slice(index)));
    if (repeats) {
      if (lastGroupHadRepeat) return false;
      if (groups.length > 0) groups[groups.length - 1] = true;
    }
    if (char !== '?' && !(char === '{' || char === '}' || char === ',' || /\d/.test(char))) lastGroupHadRepeat = false;
  }
  return true;
}

/** "{2,}", "{1,5}", "{3}" repeat; "{1}" and "{0,1}" do not. */
function isCountedRepeat(rest: string): boolean {
  const match = /^\{(\d+)(,(\d*))?\}/.exec(rest);
  if (!match) return false;
  const most = match[2] === undefined ? Number(match[1]) : match[3] === '' ? Infinity : Number(match[3]);
  return most > 1;
}
