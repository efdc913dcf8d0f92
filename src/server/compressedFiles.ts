import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, brotliCompressSync, brotliDecompressSync, constants as zlib } from 'node:zlib';

/**
 * The best brotli of the page's files (Web Chat's bundle takes seconds of CPU to compress), made by `npm run
 * build` and kept in .cache/compressed, one file per content, named by the hash of what it compresses.
 */
export const COMPRESSED_DIR = path.resolve(__dirname, '..', '..', '.cache', 'compressed');

/** A file content's hash, as its compressed file is named. */
export function digestOf(body: Buffer): string {
  return createHash('sha256').update(body).digest('base64url');
}

function params(body: Buffer) {
  return { [zlib.BROTLI_PARAM_QUALITY]: zlib.BROTLI_MAX_QUALITY, [zlib.BROTLI_PARAM_SIZE_HINT]: body.length };
}

/**
 * The kept brotli of a file content, when the build made it and it unpacks to exactly that content; else
 * undefined (the caller compresses it itself).
 */
export function keptBrotli(body: Buffer, digest: string, folder = COMPRESSED_DIR): Buffer | undefined {
  try {
    const kept = readFileSync(path.join(folder, `${digest}.br`));
    return brotliDecompressSync(kept).equals(body) ? kept : undefined;
  } catch {
    return undefined;
  }
}

/** The best brotli of a file content, made in the background (the caller serves gzip meanwhile). */
export function brotliOf(body: Buffer): Promise<Buffer | undefined> {
  return promisify(brotliCompress)(body, { params: params(body) }).catch(() => undefined);
}

/** At build: the brotli of each file whose content has none kept yet, each written whole or not at all. */
export function keepBrotli(files: readonly string[], folder = COMPRESSED_DIR): void {
  mkdirSync(folder, { recursive: true });
  for (const file of files) {
    const body = readFileSync(file);
    const digest = digestOf(body);
    if (keptBrotli(body, digest, folder)) continue;
    const target = path.join(folder, `${digest}.br`);
    const partial = `${target}.${process.pid}.tmp`;
    writeFileSync(partial, brotliCompressSync(body, { params: params(body) }));
    renameSync(partial, target);
  }
}
