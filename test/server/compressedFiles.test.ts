import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { brotliOf, digestOf, keepBrotli, keptBrotli } from '../../src/server/compressedFiles';
import { webChatFiles } from '../../src/server/webChat';
import { tempFolder } from '../support/tempFolders';

/** The page's own files (small, quick to compress at the best quality). */
const pageFiles = () =>
  Object.entries(webChatFiles())
    .filter(([name]) => name !== 'webchat.js')
    .map(([, source]) => source.file());

describe("the build's brotli of the page's files", () => {
  it('is kept once per content, named by its hash, and unpacks to the file', () => {
    const folder = tempFolder('helpdesk-compressed-');
    const files = pageFiles();
    keepBrotli(files, folder);
    expect(readdirSync(folder).sort()).toEqual(files.map((file) => `${digestOf(readFileSync(file))}.br`).sort());
    for (const file of files) {
      const body = readFileSync(file);
      const kept = keptBrotli(body, digestOf(body), folder);
      expect(brotliDecompressSync(kept!).equals(body)).toBe(true);
    }
  });

  it('is not used when missing, damaged or of another content; the file is then compressed on its own', async () => {
    const folder = tempFolder('helpdesk-compressed-');
    const [file] = pageFiles();
    const body = readFileSync(file!);
    const digest = digestOf(body);
    expect(keptBrotli(body, digest, folder)).toBeUndefined();
    keepBrotli([file!], folder);
    const kept = path.join(folder, `${digest}.br`);
    const whole = readFileSync(kept);
    writeFileSync(kept, whole.subarray(0, whole.length - 4));
    expect(keptBrotli(body, digest, folder)).toBeUndefined();
    writeFileSync(kept, whole);
    expect(keptBrotli(Buffer.concat([body, Buffer.from('\n')]), digest, folder)).toBeUndefined();
    // Made again by the next build.
    writeFileSync(kept, 'not brotli');
    keepBrotli([file!], folder);
    expect(readFileSync(kept).equals(whole)).toBe(true);
    expect(brotliDecompressSync((await brotliOf(body))!).equals(body)).toBe(true);
  });
});
