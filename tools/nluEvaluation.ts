/** The held-out evaluation lives in src/studio, where publishing runs it too. */
export * from '../src/studio/nluEvaluation';
