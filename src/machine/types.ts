import type { AccountCallOutput } from '../dialog/accountCalls';

/** Why a message could not be taken as an answer or a choice. */
export type MissReason = 'notUnderstood' | 'empty' | 'attachment' | 'tooLong' | 'staleButton' | 'unsupportedLanguage';

/** Every event from the user carries the language of the turn and an id for idempotent side effects. */
export interface TurnMeta {
  locale: string;
  turnId: string;
  /** False in group chats and team channels, where ID and secret numbers are not asked for. */
  privateChat?: boolean;
  /** An opaque, stable key of the person writing, for the account service's limits across conversations. */
  requester?: string;
}

export type DialogEvent =
  | ({ type: 'START' } & TurnMeta)
  | ({ type: 'CHOOSE'; choice: string } & TurnMeta)
  | ({ type: 'ANSWER'; text: string } & TurnMeta)
  | ({ type: 'BACK' } & TurnMeta)
  | ({ type: 'MENU' } & TurnMeta)
  | ({ type: 'CANCEL' } & TurnMeta)
  | ({ type: 'RESTART' } & TurnMeta)
  | ({ type: 'HELP' } & TurnMeta)
  | ({ type: 'REPEAT' } & TurnMeta)
  | ({ type: 'LANGUAGE' } & TurnMeta)
  | ({ type: 'GREET' } & TurnMeta)
  /** A typed "no" to an offer that has no "no" choice ("I can send that email for you now"). */
  | ({ type: 'DECLINE' } & TurnMeta)
  /** Go straight to a node, from wherever the conversation is (a topic the user typed). */
  | ({ type: 'GOTO'; node: string } & TurnMeta)
  /** Not sure which of these topics the user means: ask ("did you mean"). */
  | ({ type: 'CLARIFY'; nodes: string[] } & TurnMeta)
  | ({ type: 'UNKNOWN'; reason: MissReason } & TurnMeta)
  /** Secret answers the conversation kept encrypted could not be read back (another key): ask for them again. */
  | ({ type: 'SECRETS_LOST'; slots: string[] } & TurnMeta)
  /** The step the conversation rested in was removed by a publish: the menu, with a notice; a form on hold kept. */
  | ({ type: 'STEP_GONE' } & TurnMeta);

/** A value shown in a text: plain, a calendar date (YYYY-MM-DD) or a moment in time (ISO 8601). */
export type Param = string | number | { date: string } | { instant: string };

/** A text to say, by key; `multilingual` says it once in each of the other languages. */
export interface Say {
  type: 'say';
  key: string;
  params?: Record<string, Param>;
  multilingual?: boolean;
}

export interface DialogContext {
  /** Nodes to go back to, most recent last. */
  trail: string[];
  /** Answers collected by the current form; emptied whenever the form is left. */
  slots: Record<string, string>;
  /** Set while the user corrects one answer from a form's summary. */
  correcting: boolean;
  /** The language the form's call was first sent in: a retry sends the same request, whatever the language now. */
  sentIn?: string;
  /** What the last account-service action returned (nothing secret). */
  result: Record<string, string>;
  /**
   * A form left for another topic half-way, to pick up again when the user comes back to it before `until`
   * (ISO 8601). Secret answers are not kept: `step` is then the first of them, and `correcting` sends its
   * answer back to the summary the form had reached.
   */
  suspended?: { form: string; step: string; slots: Record<string, string>; until?: string; correcting?: boolean };
  /** Messages in a row the bot did not understand; at two it offers the menu and a person. Absent when none. */
  misses?: number;
  /** Nodes offered in the last reply ("did you mean", or the way out), so a typed number or title picks one. */
  offered?: string[];
}

/** A button offered in a state: a dialog choice, or one of the moves every state allows. */
export interface Choice {
  id: string;
  label: string;
  /** Set for buttons that stand for a move (back, menu, cancel) rather than a dialog choice. */
  event?: 'BACK' | 'MENU' | 'CANCEL';
}

/** Describes a state the conversation can rest in; read by the bot to render and by tools to trace. */
export interface StateMeta {
  node: string;
  topic: string;
  expecting: string | null;
  choices: Choice[];
  offerLanguages: boolean;
  /** The choice a typed "yes" or "no" picks, when the state asks a yes/no question. */
  yes?: string;
  no?: string;
  /** A text to send later, at the time the node's message names. */
  remind?: string;
}

export type { AccountCallOutput };
