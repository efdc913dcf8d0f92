import { featuresOf, type FeatureSpec } from './features';
import { base64Of, bytesOf, type Labelled, type Ranked } from './softmax';

/** A trained classifier as a model file keeps it: the log likelihoods, feature-major, in base64. */
export interface NaiveBayesData {
  labels: string[];
  spec: FeatureSpec;
  features: string[];
  table: string;
  temperature: number;
}

/** A trained classifier's parts, its log likelihoods as one typed array. */
export interface NaiveBayesParts extends Omit<NaiveBayesData, 'table'> {
  table: Float64Array;
}

/**
 * A multinomial naive Bayes classifier over text features: training is counting, so it learns from
 * thousands of texts in milliseconds. It is the classic model for telling languages apart by their
 * letter sequences.
 */
export class NaiveBayesClassifier {
  private constructor(
    readonly labels: readonly string[],
    private readonly spec: FeatureSpec,
    /** Feature → log probability of the feature under each label. */
    private readonly logLikelihood: Map<string, Float64Array>,
    /**
     * How sure the ranking may be: scores are divided by this many features at most, so that long texts do
     * not give probabilities of exactly 1.
     */
    private readonly temperature: number,
  ) {}

  static train(
    examples: readonly Labelled[],
    spec: FeatureSpec,
    options: { smoothing?: number; temperature?: number } = {},
  ): NaiveBayesClassifier {
    const smoothing = options.smoothing ?? 0.1;
    const labels = [...new Set(examples.map((example) => example.label))].sort();
    const labelIndex = new Map(labels.map((label, index) => [label, index]));
    const counts = new Map<string, Float64Array>();
    const totals = new Float64Array(labels.length);
    for (const example of examples) {
      const label = labelIndex.get(example.label)!;
      for (const [feature, count] of featuresOf(example.text, spec)) {
        let row = counts.get(feature);
        if (!row) counts.set(feature, (row = new Float64Array(labels.length)));
        row[label]! += count;
        totals[label]! += count;
      }
    }
    const vocabularySize = counts.size;
    const denominators = Array.from(totals, (total) => Math.log(total + smoothing * vocabularySize));
    const logLikelihood = new Map<string, Float64Array>();
    for (const [feature, row] of counts) {
      logLikelihood.set(
        feature,
        Float64Array.from(row, (count, label) => Math.log(count + smoothing) - denominators[label]!),
      );
    }
    return new NaiveBayesClassifier(labels, spec, logLikelihood, options.temperature ?? 4);
  }

  /** The trained classifier as its parts: the log likelihoods, feature-major, in one typed array. */
  toParts(): NaiveBayesParts {
    const features = [...this.logLikelihood.keys()];
    const k = this.labels.length;
    const table = new Float64Array(features.length * k);
    features.forEach((feature, index) => table.set(this.logLikelihood.get(feature)!, index * k));
    return { labels: [...this.labels], spec: this.spec, features, table, temperature: this.temperature };
  }

  static fromParts(parts: NaiveBayesParts): NaiveBayesClassifier {
    const k = parts.labels.length;
    const { table } = parts;
    const logLikelihood = new Map(
      parts.features.map((feature, index) => [feature, table.subarray(index * k, (index + 1) * k)]),
    );
    return new NaiveBayesClassifier(parts.labels, parts.spec, logLikelihood, parts.temperature);
  }

  /** The trained classifier as plain data (JSON, see `fromData`). */
  toData(): NaiveBayesData {
    const { table, ...rest } = this.toParts();
    return { ...rest, table: base64Of(table) };
  }

  static fromData(data: NaiveBayesData): NaiveBayesClassifier {
    return NaiveBayesClassifier.fromParts({ ...data, table: new Float64Array(bytesOf(data.table)) });
  }

  /** Every label with its probability, most likely first; features never seen in training are ignored. */
  rank(text: string): Ranked[] {
    const k = this.labels.length;
    const scores = new Float64Array(k);
    let features = 0;
    for (const [feature, count] of featuresOf(text, this.spec)) {
      const row = this.logLikelihood.get(feature);
      if (!row) continue;
      features += count;
      for (let label = 0; label < k; label++) scores[label]! += count * row[label]!;
    }
    // Naive Bayes counts every letter sequence as fresh evidence and so is far too sure of itself;
    // averaging over the features and rescaling gives probabilities a threshold can work with.
    const scale = features > 0 ? this.temperature / Math.sqrt(features) : 0;
    let max = -Infinity;
    for (let label = 0; label < k; label++) {
      scores[label]! *= scale;
      if (scores[label]! > max) max = scores[label]!;
    }
    let sum = 0;
    for (let label = 0; label < k; label++) {
      scores[label] = Math.exp(scores[label]! - max);
      sum += scores[label]!;
    }
    return this.labels.map((label, index) => ({ label, p: scores[index]! / sum })).sort((a, b) => b.p - a.p);
  }
}
