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

/** POSTs a body (an object as JSON, a string as it is) to the bot's /api/messages; the status and the body read. */
export async function postToBot(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, text, json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}
