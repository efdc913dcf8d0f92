/**
 * A Web Chat conversation on the bot's own Direct Line over plain HTTP, as a page holds it: a token from the
 * token endpoint, a conversation, posts, and the activities read back after a watermark.
 */
export async function webChatConversation(
  botUrl: string,
  options: { headers?: Record<string, string>; from?: { id: string; name?: string } } = {},
) {
  const headers = { 'content-type': 'application/json', ...options.headers };
  const granted = await fetch(`${botUrl}/api/directline/token`, { method: 'POST', headers });
  const { token } = (await granted.json()) as { token: string };
  const authorized = { ...headers, authorization: `Bearer ${token}` };
  const started = await fetch(`${botUrl}/v3/directline/conversations`, { method: 'POST', headers: authorized });
  const { conversationId } = (await started.json()) as { conversationId: string };
  const base = `${botUrl}/v3/directline/conversations/${conversationId}/activities`;
  const from = options.from ?? { id: 'page' };
  let watermark = '0';
  return {
    /** Posts a message with these fields; the bot's last reply text (empty when it said nothing). */
    async post(fields: Record<string, unknown>): Promise<string> {
      const posted = await fetch(base, {
        method: 'POST',
        headers: authorized,
        body: JSON.stringify({ type: 'message', from, locale: 'en-GB', ...fields }),
      });
      if (posted.status !== 200) throw new Error(`posting answered ${posted.status}: ${await posted.text()}`);
      const set = (await (await fetch(`${base}?watermark=${watermark}`, { headers: authorized })).json()) as {
        activities: Array<{ type: string; text?: string; from: { role?: string } }>;
        watermark: string;
      };
      watermark = set.watermark;
      return set.activities.findLast((each) => each.type === 'message' && each.from.role === 'bot')?.text ?? '';
    },
    /** The whole transcript, as a client reconnecting would get it again. */
    async transcript(): Promise<string> {
      return JSON.stringify(await (await fetch(`${base}?watermark=0`, { headers: authorized })).json());
    },
  };
}
