import { endianness } from 'node:os';
import { LANGUAGES } from '../dialog/languages';
import { LanguageModel, type LanguageModelParts } from './model';

/**
 * The binary form of a trained model, read at start in milliseconds: a short JSON header, then the lists of
 * features and words as text (separated by NUL) and the classifiers' numbers as they lie in memory, each section
 * starting on an 8-byte boundary so the typed arrays are views of the file's bytes, not copies.
 *
 *   "HLM1" | header length (uint32 LE) | header (JSON) | sections
 */
const MAGIC = 'HLM1';
const ALIGN = 8;
/** The sections, in order: the intents' features and numbers, the languages' features and table, the words. */
const KINDS = ['text', 'f32', 'f32', 'f32', 'text', 'f64', ...LANGUAGES.map(() => 'text')].join();

type Section =
  { kind: 'f32'; data: Float32Array } | { kind: 'f64'; data: Float64Array } | { kind: 'text'; data: string[] };
interface Header {
  /** Numbers are written as the machine keeps them; a file of a machine of the other byte order is not read. */
  endianness: 'LE' | 'BE';
  intents: Pick<LanguageModelParts['intents'], 'labels' | 'spec'>;
  languages: Pick<LanguageModelParts['languages'], 'labels' | 'spec' | 'temperature'>;
  names: LanguageModelParts['names'];
  otherWords: string[];
  letters: string;
  /** Each section's kind and length in bytes, in the order they follow the header. */
  sections: Array<{ kind: Section['kind']; bytes: number }>;
}

/** The model's bytes, for its file. */
export function modelBytes(model: LanguageModel): Buffer {
  const { intents, languages, names, vocabulary, otherWords, letters } = model.toParts();
  const sections: Section[] = [
    { kind: 'text', data: intents.vocabulary },
    { kind: 'f32', data: intents.featureWeights },
    { kind: 'f32', data: intents.weights },
    { kind: 'f32', data: intents.bias },
    { kind: 'text', data: languages.features },
    { kind: 'f64', data: languages.table },
    ...LANGUAGES.map((language): Section => ({ kind: 'text', data: vocabulary[language] })),
  ];
  const bodies = sections.map((section) =>
    section.kind === 'text'
      ? Buffer.from(section.data.join('\0'), 'utf8')
      : Buffer.from(section.data.buffer, section.data.byteOffset, section.data.byteLength),
  );
  const header: Header = {
    endianness: endianness(),
    intents: { labels: intents.labels, spec: intents.spec },
    languages: { labels: languages.labels, spec: languages.spec, temperature: languages.temperature },
    names,
    otherWords,
    letters,
    sections: sections.map((section, index) => ({ kind: section.kind, bytes: bodies[index]!.byteLength })),
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(headerBytes.byteLength);
  const parts: Buffer[] = [Buffer.from(MAGIC, 'latin1'), length, headerBytes];
  let offset = 8 + headerBytes.byteLength;
  for (const body of bodies) {
    parts.push(Buffer.alloc(padding(offset)), body);
    offset += padding(offset) + body.byteLength;
  }
  return Buffer.concat(parts);
}

/** The model a file's bytes hold; throws when they are not a whole model file of this machine's byte order. */
export function modelFromBytes(file: Buffer): LanguageModel {
  if (file.toString('latin1', 0, 4) !== MAGIC) throw new Error('not a model file');
  const headerEnd = 8 + file.readUInt32LE(4);
  const header = JSON.parse(file.toString('utf8', 8, headerEnd)) as Header;
  if (header.endianness !== endianness()) throw new Error('model file of the other byte order');
  if (header.sections.map((section) => section.kind).join() !== KINDS) throw new Error('not a model file');
  // The typed arrays are views of the file's bytes; a buffer not itself on an 8-byte boundary is copied once.
  const bytes = file.byteOffset % ALIGN === 0 ? file : Buffer.from(new Uint8Array(file));
  let offset = headerEnd;
  const sections = header.sections.map(({ kind, bytes: length }) => {
    offset += padding(offset);
    const start = offset;
    offset += length;
    if (offset > bytes.byteLength) throw new Error('model file cut short');
    const at = bytes.byteOffset + start;
    if (kind === 'text') return length === 0 ? [] : bytes.toString('utf8', start, offset).split('\0');
    return kind === 'f32'
      ? new Float32Array(bytes.buffer, at, length / Float32Array.BYTES_PER_ELEMENT)
      : new Float64Array(bytes.buffer, at, length / Float64Array.BYTES_PER_ELEMENT);
  });
  if (offset !== bytes.byteLength) throw new Error('model file of the wrong length');
  const [vocabulary, featureWeights, weights, bias, features, table, ...words] = sections;
  return LanguageModel.fromParts({
    intents: {
      ...header.intents,
      vocabulary: vocabulary as string[],
      featureWeights: featureWeights as Float32Array,
      weights: weights as Float32Array,
      bias: bias as Float32Array,
    },
    languages: { ...header.languages, features: features as string[], table: table as Float64Array },
    names: header.names,
    vocabulary: Object.fromEntries(LANGUAGES.map((language, index) => [language, words[index] as string[]])) as Record<
      (typeof LANGUAGES)[number],
      string[]
    >,
    otherWords: header.otherWords,
    letters: header.letters,
  });
}

function padding(offset: number): number {
  return (ALIGN - (offset % ALIGN)) % ALIGN;
}
