import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ContentProblem } from '../../src/content/problems';
import { parseWithPositions, readYamlFile } from '../../src/content/yamlLocator';
import { plainSaid, said } from '../../src/dialog/studioWords';

const root = mkdtempSync(path.join(tmpdir(), 'helpdesk-yaml-'));
const missing = said('problem.examplesMissing');
const write = (file: string, text: string) => writeFileSync(path.join(root, file), text);

describe('reading a YAML file of the content', () => {
  it('reports a syntax error at its file, line and column, and returns nothing', () => {
    write('broken.yaml', 'nodes:\n  menu:\n    say: [menu.intro\n    choices: []\n');
    const problems: ContentProblem[] = [];
    expect(readYamlFile(root, 'broken.yaml', missing, problems)).toBeUndefined();
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatchObject({ file: 'broken.yaml', rule: 'yaml-syntax', severity: 'error' });
    expect(problems[0]!.line).toBeGreaterThanOrEqual(3);
    expect(problems[0]!.column).toBeGreaterThanOrEqual(1);
    expect(problems[0]!.says).toMatchObject({ key: 'problem.notYamlAt', values: { line: problems[0]!.line } });
  });

  it('counts a key written twice as a syntax error', () => {
    write('twice.yaml', 'topics:\n  lockout: []\n  lockout: []\n');
    const problems: ContentProblem[] = [];
    expect(readYamlFile(root, 'twice.yaml', missing, problems)).toBeUndefined();
    expect(problems).toEqual([
      expect.objectContaining({ file: 'twice.yaml', rule: 'yaml-syntax', line: 3, column: 3 }),
    ]);
  });

  it('says what to do about a missing file', () => {
    const problems: ContentProblem[] = [];
    expect(readYamlFile(root, 'absent.yaml', missing, problems)).toBeUndefined();
    expect(problems).toEqual([
      { file: 'absent.yaml', rule: 'missing-file', severity: 'error', message: plainSaid(missing), says: missing },
    ]);
  });

  it('points later problems at the entry they are about, or at the nearest part of it that exists', () => {
    write('good.yaml', 'nodes:\n  menu:\n    say:\n      - menu.intro\n      - menu.more\n');
    const problems: ContentProblem[] = [];
    const file = readYamlFile(root, 'good.yaml', missing, problems)!;
    expect(problems).toEqual([]);
    const noText = said('problem.missingText', { path: 'menu.more' });
    expect(file.at(['nodes', 'menu', 'say', 1], 'missing-text', noText)).toMatchObject({
      file: 'good.yaml',
      line: 5,
      column: 9,
      says: noText,
      place: 'nodes.menu.say[1]',
    });
    expect(file.at(['nodes', 'menu', 'choices'], 'schema', said('problem.required'))).toMatchObject({
      line: 2,
      column: 3,
    });
  });

  it('finds where each key of a JSON file is written', () => {
    const { positionOf } = parseWithPositions('common.json', '{\n  "choice": {\n    "back": "Back"\n  }\n}\n');
    expect(positionOf(['choice', 'back'])).toEqual({ line: 3, column: 5 });
    expect(positionOf(['choice', 'menu'])).toBeUndefined();
  });
});
