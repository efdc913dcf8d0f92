import { z } from 'zod';
import type { StudioWord } from '../dialog/studioWords';

/** A text key: `section.name` in helpdesk.json, or `common:section.name` in common.json. */
const textKey = z
  .string()
  .regex(/^(common:)?[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$/, 'problem.textKey' satisfies StudioWord);

const name = z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/, 'problem.name' satisfies StudioWord);

const choiceSchema = z.strictObject({
  label: textKey,
  goto: name,
});

export const messageNodeSchema = z.strictObject({
  topic: name,
  /** How the node is named on a "Did you mean …?" button when no choice leading here has a label. */
  title: textKey.optional(),
  say: z.array(textKey).min(1, 'problem.sayNone' satisfies StudioWord),
  prompt: textKey.optional(),
  offerLanguages: z.boolean().optional(),
  choices: z.array(choiceSchema).default([]),
  /** Which choice a typed "yes" (or "no") picks, when the node asks a yes/no question. */
  yes: name.optional(),
  no: name.optional(),
  /** Said later, in the same conversation, when the time this node talks about comes (a lock's end). */
  remind: textKey.optional(),
  /** What was done here cannot be undone (a request sent): no Back, and the way back is forgotten. */
  final: z.boolean().optional(),
  /** After saying its texts, carry on at this node (an off-topic answer, then the main menu). */
  then: name.optional(),
  /** Said, instead of a welcome or the node again, when the candidate greets or thanks here ("ciao" after "solved"). */
  goodbye: textKey.optional(),
});

/** Form steps that are not questions; a slot may not take one of these names. */
export const FORM_STEPS = ['confirm', 'run', 'failed'] as const;

const questionSchema = z.strictObject({
  slot: name.refine((slot) => !(FORM_STEPS as readonly string[]).includes(slot), {
    message: 'problem.reservedSlot' satisfies StudioWord,
  }),
  prompt: textKey,
  validator: name,
  edit: textKey.optional(),
  /** A button for people who don't have the answer ("I don't have my ID number"), and where it leads. */
  missing: choiceSchema.optional(),
});

export const formNodeSchema = z.strictObject({
  topic: name,
  intro: textKey.optional(),
  ask: z.array(questionSchema).min(1, 'problem.askNone' satisfies StudioWord),
  confirm: z
    .strictObject({
      summary: textKey,
      send: textKey,
    })
    .optional(),
  action: name,
  outcomes: z.record(name, name),
  onError: textKey,
});

const normalizeStep = z.enum(['trim', 'removeSpaces', 'upperCase', 'lowerCase']);

const validatorSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('pattern'),
    pattern: z.string().min(1),
    normalize: z.array(normalizeStep).default([]),
    mask: z.enum(['none', 'partial', 'full']).default('none'),
    secret: z.boolean().default(false),
    error: textKey,
  }),
  z.strictObject({
    kind: z.literal('text'),
    minLength: z.number().int().min(1).default(1),
    maxLength: z.number().int().min(1).max(1000).default(200),
    letters: z.boolean().default(false),
    mask: z.enum(['none', 'partial', 'full']).default('none'),
    error: textKey,
  }),
  z.strictObject({
    kind: z.literal('pastDate'),
    earliestYear: z.number().int().min(1900).default(1990),
    error: textKey,
    errors: z
      .strictObject({
        future: textKey.optional(),
        tooOld: textKey.optional(),
        /** Written as a date, but that day does not exist (31.02.2025). */
        noSuchDay: textKey.optional(),
      })
      .default({}),
  }),
]);

export const dialogSchema = z.strictObject({
  start: name,
  /** Where people who ask for a person, or who are not understood twice in a row, are offered to go. */
  handover: name.optional(),
  /** Where questions outside what the bot does (results dates, fees…) lead; its examples may not echo a topic's. */
  offTopic: name.optional(),
  links: z.record(name, z.url({ protocol: /^https$/, error: 'problem.httpsOnly' satisfies StudioWord })).default({}),
  validators: z.record(name, validatorSchema).default({}),
  // Each node is checked on its own (form or message) so errors point at the node's own fields.
  nodes: z.record(name, z.record(z.string(), z.unknown())),
});

export type DialogFile = Omit<z.infer<typeof dialogSchema>, 'nodes'> & { nodes: Record<string, DialogNode> };
export type MessageNode = z.infer<typeof messageNodeSchema>;
export type FormNode = z.infer<typeof formNodeSchema>;
export type DialogNode = MessageNode | FormNode;
export type Question = z.infer<typeof questionSchema>;
export type ValidatorSpec = z.infer<typeof validatorSchema>;

export function isFormNode(node: DialogNode): node is FormNode {
  return 'ask' in node;
}
