import { spawn } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './helpers';

/** Runs a command of tools/ as `npm run` does (tsx), with extra environment and standard input. */
export function runTool(
  tool: string,
  args: string[],
  env: Record<string, string>,
  input = '',
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'tools', tool), ...args], {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.stdin.end(input);
    child.once('exit', (code) => resolve({ code, output }));
  });
}
