import { featuresOf, type FeatureSpec } from './features';

export interface Labelled {
  text: string;
  label: string;
}

export interface Ranked {
  label: string;
  /** The model's probability for the label, 0–1; the ranking sums to 1. */
  p: number;
}

export interface TrainingOptions {
  epochs: number;
  learningRate: number;
  /** Pulls weights towards zero so that probabilities stay honest instead of all near 1. */
  l2: number;
  /** Seeds the order examples are shown in, so training gives the same model every time. */
  seed: number;
  /** Weighs features that occur in few examples more than those in many (TF-IDF). */
  idf: boolean;
}

const DEFAULT_TRAINING: TrainingOptions = { epochs: 20, learningRate: 2, l2: 1e-5, seed: 7, idf: true };

/** A trained classifier as a model file keeps it: its typed arrays in base64 (little-endian, as in memory). */
export interface SoftmaxData {
  labels: string[];
  spec: FeatureSpec;
  /** The features, in the order of their index. */
  vocabulary: string[];
  featureWeights: string;
  weights: string;
  bias: string;
}

/** A trained classifier's parts, its numbers as typed arrays. */
export interface SoftmaxParts {
  labels: string[];
  spec: FeatureSpec;
  /** The features, in the order of their index. */
  vocabulary: string[];
  featureWeights: Float32Array;
  weights: Float32Array;
  bias: Float32Array;
}

/** A typed array's bytes in base64. */
export function base64Of(array: Float32Array | Float64Array): string {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString('base64');
}

/** The bytes of a base64 text, in a buffer of their own (aligned for any typed array). */
export function bytesOf(text: string): ArrayBuffer {
  const bytes = Buffer.from(text, 'base64');
  const copy = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(copy).set(bytes);
  return copy;
}

interface SparseVector {
  indices: Int32Array;
  values: Float32Array;
}

/**
 * A multinomial logistic regression (softmax) over sparse text features, trained with plain stochastic
 * gradient descent. Small, deterministic, fast to train at start-up and to apply (microseconds).
 */
export class SoftmaxClassifier {
  private constructor(
    readonly labels: readonly string[],
    private readonly spec: FeatureSpec,
    private readonly vocabulary: Map<string, number>,
    /** How much each feature weighs, by index. */
    private readonly featureWeights: Float32Array,
    /** Weights, feature-major: weights[feature * labels + label]. */
    private readonly weights: Float32Array,
    private readonly bias: Float32Array,
  ) {}

  static train(
    examples: readonly Labelled[],
    spec: FeatureSpec,
    options: Partial<TrainingOptions> = {},
  ): SoftmaxClassifier {
    const { epochs, learningRate, l2, seed, idf } = { ...DEFAULT_TRAINING, ...options };
    const labels = [...new Set(examples.map((example) => example.label))].sort();
    const labelIndex = new Map(labels.map((label, index) => [label, index]));
    const vocabulary = new Map<string, number>();
    const documentFrequency: number[] = [];
    const counted = examples.map((example) => {
      const features = featuresOf(example.text, spec);
      const indices = new Int32Array(features.size);
      const counts = new Float32Array(features.size);
      let i = 0;
      for (const [feature, count] of features) {
        let index = vocabulary.get(feature);
        if (index === undefined) {
          index = vocabulary.size;
          vocabulary.set(feature, index);
          documentFrequency.push(0);
        }
        documentFrequency[index]!++;
        indices[i] = index;
        counts[i++] = count;
      }
      return { indices, counts };
    });
    const featureWeights = Float32Array.from(documentFrequency, (df) =>
      idf ? Math.log((1 + examples.length) / (1 + df)) + 1 : 1,
    );
    const vectors: SparseVector[] = counted.map(({ indices, counts }) => ({
      indices,
      values: weigh(indices, counts, featureWeights),
    }));
    const targets = examples.map((example) => labelIndex.get(example.label)!);

    const k = labels.length;
    const weights = new Float32Array(vocabulary.size * k);
    const bias = new Float32Array(k);
    const scores = new Float64Array(k);
    const order = vectors.map((_, index) => index);
    const random = mulberry32(seed);
    // Weight decay is applied lazily through one shared scale, so each step only touches the message's features.
    let scale = 1;
    for (let epoch = 0; epoch < epochs; epoch++) {
      shuffle(order, random);
      const rate = learningRate / (1 + epoch * 0.5);
      for (const sample of order) {
        const { indices, values } = vectors[sample]!;
        score(indices, values, weights, bias, k, scale, scores);
        softmaxInPlace(scores);
        scale *= 1 - rate * l2;
        const step = rate / scale;
        for (let c = 0; c < k; c++) {
          const gradient = scores[c]! - (c === targets[sample] ? 1 : 0);
          // Labels the model already rules out for this example would barely move: skip them.
          if (Math.abs(gradient) < 1e-3) continue;
          bias[c]! -= rate * gradient;
          for (let i = 0; i < indices.length; i++) weights[indices[i]! * k + c]! -= step * gradient * values[i]!;
        }
      }
      if (scale < 1e-3) {
        for (let i = 0; i < weights.length; i++) weights[i]! *= scale;
        scale = 1;
      }
    }
    for (let i = 0; i < weights.length; i++) weights[i]! *= scale;
    return new SoftmaxClassifier(labels, spec, vocabulary, featureWeights, weights, bias);
  }

  /** The trained classifier as its parts: typed arrays as in memory, for the binary model file. */
  toParts(): SoftmaxParts {
    return {
      labels: [...this.labels],
      spec: this.spec,
      vocabulary: [...this.vocabulary.keys()],
      featureWeights: this.featureWeights,
      weights: this.weights,
      bias: this.bias,
    };
  }

  static fromParts(parts: SoftmaxParts): SoftmaxClassifier {
    return new SoftmaxClassifier(
      parts.labels,
      parts.spec,
      new Map(parts.vocabulary.map((feature, index) => [feature, index])),
      parts.featureWeights,
      parts.weights,
      parts.bias,
    );
  }

  /** The trained classifier as plain data (JSON, see `fromData`). */
  toData(): SoftmaxData {
    const { featureWeights, weights, bias, ...rest } = this.toParts();
    return { ...rest, featureWeights: base64Of(featureWeights), weights: base64Of(weights), bias: base64Of(bias) };
  }

  static fromData(data: SoftmaxData): SoftmaxClassifier {
    return SoftmaxClassifier.fromParts({
      ...data,
      featureWeights: new Float32Array(bytesOf(data.featureWeights)),
      weights: new Float32Array(bytesOf(data.weights)),
      bias: new Float32Array(bytesOf(data.bias)),
    });
  }

  /** Every label with its probability, most likely first. */
  rank(text: string): Ranked[] {
    const features = featuresOf(text, this.spec);
    const indices: number[] = [];
    const counts: number[] = [];
    for (const [feature, count] of features) {
      const index = this.vocabulary.get(feature);
      if (index === undefined) continue;
      indices.push(index);
      counts.push(count);
    }
    const k = this.labels.length;
    const scores = new Float64Array(k);
    score(indices, weigh(indices, counts, this.featureWeights), this.weights, this.bias, k, 1, scores);
    softmaxInPlace(scores);
    return this.labels.map((label, index) => ({ label, p: scores[index]! })).sort((a, b) => b.p - a.p);
  }

  /** How much of the message the model has seen before (share of its features); 0 for gibberish. */
  known(text: string): number {
    const features = featuresOf(text, this.spec);
    let known = 0;
    for (const feature of features.keys()) if (this.vocabulary.has(feature)) known++;
    return features.size === 0 ? 0 : known / features.size;
  }
}

/** Repeats add less and less, rare features more; the vector has unit length so long and short messages compare. */
function weigh(indices: ArrayLike<number>, counts: ArrayLike<number>, featureWeights: Float32Array): Float32Array {
  const values = new Float32Array(indices.length);
  let norm = 0;
  for (let i = 0; i < indices.length; i++) {
    const value = (1 + Math.log(counts[i]!)) * featureWeights[indices[i]!]!;
    values[i] = value;
    norm += value * value;
  }
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < values.length; i++) values[i]! /= norm;
  return values;
}

function score(
  indices: ArrayLike<number>,
  values: ArrayLike<number>,
  weights: Float32Array,
  bias: Float32Array,
  k: number,
  scale: number,
  out: Float64Array,
): void {
  for (let c = 0; c < k; c++) out[c] = bias[c]!;
  for (let i = 0; i < indices.length; i++) {
    const base = indices[i]! * k;
    const value = values[i]! * scale;
    for (let c = 0; c < k; c++) out[c]! += weights[base + c]! * value;
  }
}

function softmaxInPlace(scores: Float64Array): void {
  let max = -Infinity;
  for (const s of scores) if (s > max) max = s;
  let sum = 0;
  for (let c = 0; c < scores.length; c++) {
    scores[c] = Math.exp(scores[c]! - max);
    sum += scores[c]!;
  }
  for (let c = 0; c < scores.length; c++) scores[c]! /= sum;
}

function shuffle(items: number[], random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}

/** A small seeded random number generator (public domain), so training is repeatable. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
