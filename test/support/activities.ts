/** A message activity as a Direct Line channel posts it, asking for the replies in the response body. */
export function activity(conversation: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'message',
    locale: 'en-GB',
    channelId: 'directline',
    serviceUrl: 'http://127.0.0.1:9/',
    conversation: { id: conversation },
    from: { id: `user-${conversation}` },
    recipient: { id: 'bot' },
    deliveryMode: 'expectReplies',
    ...fields,
  };
}
