import { existsSync } from 'node:fs';
import { contentProblems, type Problem } from './checks';
import { readEvalSet, type EvalSet } from './nluEvaluation';
import type { checkSnapshot, Snapshot } from './snapshot';
import {
  applyChanges,
  capturesOf,
  examplesEtag,
  examplesOf,
  stepEtag,
  stepOf,
  structureEtag,
  structureOf,
  type Capture,
  type StructureChange,
} from './structure';
import type { Language } from '../dialog/languages';

/** What the editor needs of the studio: the draft, a way to change it under its lock, the checks and the audit log. */
export interface DraftHost {
  draftFiles(): Promise<Snapshot>;
  changeDraft<T>(change: (files: Snapshot) => Promise<{ files?: Snapshot; result: T }>): Promise<T | undefined>;
  checkFiles(files: Snapshot): ReturnType<typeof checkSnapshot>;
  audit(actor: string, action: string, details: Record<string, unknown>): Promise<void>;
}

/** What a change's etag is compared with: the whole structure's, one step's, or one topic's examples in a language. */
export type Precondition =
  | { of: 'structure'; etag: string }
  /** `as`: the step's name once the change is made, when the change renames it. */
  | { of: 'step'; id: string; etag: string; as?: string }
  /** The step must not exist yet (If-None-Match: *). */
  | { of: 'new step'; id: string }
  | { of: 'examples'; language: Language; topic: string; etag: string };

export type StructureResult =
  | { status: 'saved'; etag: string; captures: Capture[] }
  | { status: 'conflict'; etag: string }
  | { status: 'invalid'; problems: Problem[] }
  | { status: 'no draft' };

function etagFor(files: Snapshot, precondition: Precondition): string {
  if (precondition.of === 'structure') return structureEtag(files);
  if (precondition.of === 'examples') return examplesEtag(files, precondition.language, precondition.topic);
  return stepEtag(files, precondition.id);
}

/**
 * Structure edits of the draft: steps, choices, questions, yes/no branches, menu topics and their examples, each
 * change checked with every content rule (only the problems the change brings refuse it) and watched for the
 * messages a changed topic starts to capture.
 */
export class StructureEditor {
  private heldOut: EvalSet | undefined;

  constructor(
    private readonly studio: DraftHost,
    private readonly heldOutFile: string,
  ) {}

  async structure(): Promise<ReturnType<typeof structureOf>> {
    return structureOf(await this.studio.draftFiles());
  }

  async step(id: string): Promise<{ step: Record<string, unknown>; etag: string } | undefined> {
    const files = await this.studio.draftFiles();
    const step = stepOf(files, id);
    return step ? { step, etag: stepEtag(files, id) } : undefined;
  }

  async examples(language: Language, topic: string): Promise<{ examples: string[]; etag: string }> {
    const files = await this.studio.draftFiles();
    return { examples: examplesOf(files, language, topic), etag: examplesEtag(files, language, topic) };
  }

  /** What the changes would bring, without saving them. */
  async check(changes: readonly StructureChange[]): Promise<{ problems: Problem[]; captures: Capture[] }> {
    const { problems, captures } = await this.evaluate(await this.studio.draftFiles(), changes);
    return { problems, captures };
  }

  async change(
    changes: readonly StructureChange[],
    precondition: Precondition,
    audit: { actor: string; action?: string; details?: Record<string, unknown> },
    /** Whether to look for messages a changed topic captures (it trains the draft's model; the inbox skips it). */
    watch = true,
  ): Promise<StructureResult> {
    const result = await this.studio.changeDraft<StructureResult>(async (files) => {
      const etag = etagFor(files, precondition);
      const stale =
        precondition.of === 'new step' ? stepOf(files, precondition.id) !== undefined : etag !== precondition.etag;
      if (stale) return { result: { status: 'conflict', etag } };
      const { problems, captures, after } = await this.evaluate(files, changes, watch);
      if (problems.length > 0) return { result: { status: 'invalid', problems } };
      const now =
        precondition.of === 'step' && precondition.as ? { ...precondition, id: precondition.as } : precondition;
      return { files: after, result: { status: 'saved', etag: etagFor(after, now), captures } };
    });
    if (result?.status === 'saved')
      await this.studio.audit(
        audit.actor,
        audit.action ?? 'edit structure',
        audit.details ?? { changes: changes.map(summary), captures: result.captures.length },
      );
    return result ?? { status: 'no draft' };
  }

  private async evaluate(
    files: Snapshot,
    changes: readonly StructureChange[],
    watch = true,
  ): Promise<{ problems: Problem[]; captures: Capture[]; after: Snapshot }> {
    const applied = applyChanges(files, changes);
    if (applied.problems.length > 0) return { problems: applied.problems, captures: [], after: files };
    const before = this.studio.checkFiles(files);
    const after = this.studio.checkFiles(applied.files);
    const known = new Set(contentProblems(before.problems).map((each) => `${each.field}|${each.message}`));
    const problems = contentProblems(after.problems).filter((each) => !known.has(`${each.field}|${each.message}`));
    if (!watch || problems.length > 0 || !before.content || !after.content)
      return { problems, captures: [], after: applied.files };
    const captures = capturesOf(before.content, after.content, applied.topics, this.heldOutSet());
    return { problems, captures, after: applied.files };
  }

  private heldOutSet(): EvalSet | undefined {
    if (!this.heldOut && existsSync(this.heldOutFile)) this.heldOut = readEvalSet(this.heldOutFile);
    return this.heldOut;
  }
}

/** A change as the audit log keeps it: what was done to which step or topic, not the texts. */
function summary(change: StructureChange): Record<string, unknown> {
  if (change.op === 'renameStep') return { op: change.op, id: change.id, to: change.to };
  if (change.op === 'setExamples')
    return { op: change.op, language: change.language, topic: change.topic, count: change.examples.length };
  return { op: change.op, id: change.id };
}
