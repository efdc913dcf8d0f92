/** Moves people make at any step, whatever the topic; each maps to one thing the dialog does. */
export const MOVES = ['greeting', 'help', 'menu', 'back', 'yes', 'no', 'language'] as const;
export type Move = (typeof MOVES)[number];
