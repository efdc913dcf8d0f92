import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { EVAL_FILE, GROUPS, type EvalSet } from '../../src/studio/nluEvaluation';
import { LANGUAGES } from '../../src/dialog/languages';
import { content } from '../support/helpers';
import { runTool } from '../support/runTool';
import { tempFolder } from '../support/tempFolders';

jest.setTimeout(120_000);

describe('npm run nlu:eval', () => {
  it('lists every message it gets wrong, topics and moves, and the topics no held-out message covers', async () => {
    const set = parse(readFileSync(EVAL_FILE, 'utf8')) as EvalSet;
    const taught = content().examples.byLanguage.en.topics;
    // Topics held out only under topics: (not also as a move or a group of what candidates type).
    const groups = Object.values(GROUPS) as string[];
    const evaluated = Object.keys(set.topics.en).filter(
      (topic) => taught[topic] && !set.moves.en[topic] && !groups.includes(`topic:${topic}`),
    );
    // A topic of the content whose held-out messages are gone, as for a topic a lead has just added.
    const [gone, wrong] = evaluated;
    for (const language of LANGUAGES) delete set.topics[language][gone!];
    // A message the content teaches as another topic, filed under a topic and under a move: both are misses.
    const other = Object.keys(taught).find((topic) => topic !== wrong && topic !== gone)!;
    const message = taught[other]![0]!;
    set.topics.en[wrong!]!.push(message);
    set.moves.en.greeting = [...(set.moves.en.greeting ?? []), message];
    const file = path.join(tempFolder('nlu-eval-'), 'eval.yaml');
    writeFileSync(file, stringify(set));

    const { code, output } = await runTool('nluEval.ts', ['--eval', file], {});
    const lines = output.split('\n');
    expect(lines).toContain(`      ${wrong} → ${other}: ${message}`);
    expect(lines).toContain(`      move:greeting → ${other}: ${message}`);
    expect(output).toMatch(/^Topics with no held-out messages .*NOT EVALUATED$/m);
    expect(lines).toContain(`  ${gone}: ${LANGUAGES.join(', ')}`);
    expect(code).toBe(1);
  });
});
