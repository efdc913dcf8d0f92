import type { RunningBot } from '../../src/index';
import { content } from '../support/helpers';
import { PreviewConversation, type PreviewGrant } from '../support/previewConversation';
import { openingKey, startStudioBot, StudioClient, studioDataDir } from '../support/studioClient';

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
    const grant = (await opened.json()) as PreviewGrant;
    // The token with the session that opened it, as the studio page sends its cookie along.
    const chat = new PreviewConversation(grant, lead.cookie);
    expect(await chat.start(bot.url)).toBe(201);
    const welcome = await chat.send({ type: 'event', name: 'webchat/join', value: { language: 'de' } }, bot.url);
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
