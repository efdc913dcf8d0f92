/**
 * A turn's id: the conversation's id, then the incoming activity's. Stable across redeliveries of the same
 * activity, so it keys the account-service calls that must happen once; the conversation's part tells the
 * service whose checks to count. Channels' conversation ids hold no "|" (an activity id may: Direct Line's do).
 */
export function turnIdOf(conversationId: string, activityId: string): string {
  return `${conversationId}|${activityId}`;
}

/** The conversation a turn belongs to. */
export function conversationOfTurn(turnId: string): string {
  const end = turnId.indexOf('|');
  return end < 0 ? turnId : turnId.slice(0, end);
}
