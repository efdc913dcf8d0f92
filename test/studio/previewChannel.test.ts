import type { RunningBot } from '../../src/index';
import { content } from '../support/helpers';
import { openingKey, startStudioBot, StudioClient, studioDataDir } from '../support/studioClient';

interface Activity {
  type: string;
  name?: string;
  text?: string;
  from?: { role?: string };
  value?: { topic: string; state: string; said: string[] };
}

/** A Direct Line 3.0 conversation over plain HTTP, as any Direct Line client speaks it. */
class DirectLineConversation {
  private watermark: string | undefined;
  constructor(
    private readonly base: string,
    private readonly token: string,
    private readonly id: string,
  ) {}

  private call(method: string, path: string, body?: unknown): Promise<Response> {
    return fetch(`${this.base}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }

  async start(): Promise<number> {
    return (await this.call('POST', '/conversations')).status;
  }

  /** Posts an activity (answered once the turn is over) and reads what came after it. */
  async send(activity: Record<string, unknown>): Promise<Activity[]> {
    const posted = await this.call('POST', `/conversations/${this.id}/activities`, {
      from: { id: 'lead' },
      ...activity,
    });
    expect(posted.status).toBe(200);
    const read = await this.call(
      'GET',
      `/conversations/${this.id}/activities${this.watermark ? `?watermark=${this.watermark}` : ''}`,
    );
    const set = (await read.json()) as { activities: Activity[]; watermark: string };
    this.watermark = set.watermark;
    return set.activities.filter((each) => each.from?.role === 'bot');
  }
}

describe('the preview as a Direct Line conversation with the draft', () => {
  let bot: RunningBot;
  afterAll(async () => {
    await bot?.close();
  });

  it('is opened by a signed-in session, answers with the draft and the trace, and refuses what it should', async () => {
    bot = await startStudioBot({ STUDIO_DATA_DIR: await studioDataDir() });
    const lead = await new StudioClient(bot.url).as('editor');
    const path = '/studio/api/preview/conversations';
    expect((await new StudioClient(bot.url).call('POST', path, { language: 'de' })).status).toBe(401);
    const noCsrf = await fetch(`${bot.url}${path}`, {
      method: 'POST',
      headers: { cookie: lead.cookie, 'content-type': 'application/json' },
      body: '{"language":"de"}',
    });
    expect(noCsrf.status).toBe(403);
    expect((await lead.call('POST', path, { language: 'xx' })).status).toBe(400);

    // A German text changed in the draft only.
    const key = openingKey();
    const current = (await (await lead.call('GET', `/studio/api/texts/de/${key}`)).json()) as {
      text: string;
      etag: string;
    };
    const changed = `${current.text} (nur im Entwurf)`;
    const saved = await lead.call(
      'PUT',
      `/studio/api/texts/de/${key}`,
      { text: changed },
      { 'if-match': current.etag },
    );
    expect(saved.status).toBe(200);

    const opened = await lead.call('POST', path, { language: 'de' });
    expect(opened.status).toBe(201);
    const grant = (await opened.json()) as { conversationId: string; token: string; domain: string };
    const chat = new DirectLineConversation(`${bot.url}${grant.domain}`, grant.token, grant.conversationId);
    expect(await chat.start()).toBe(201);
    const welcome = await chat.send({ type: 'event', name: 'webchat/join', value: { language: 'de' } });
    const { dialog } = content();
    expect(welcome.map((each) => each.type)).toEqual(['message', 'trace']);
    expect(welcome[0]!.text).toContain(changed);
    expect(welcome[1]).toMatchObject({ name: 'helpdesk.state', value: { state: dialog.start } });
    expect(welcome[1]!.value!.said).toContain(key);

    // The live bot's own Direct Line does not know the preview's token: they are two endpoints.
    const live = await fetch(`${bot.url}/v3/directline/conversations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${grant.token}` },
    });
    expect(live.status).toBe(403);
  });
});
