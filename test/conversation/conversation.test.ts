import { Conversation } from '../../src/conversation/conversation';
import { content, engine } from '../support/helpers';

describe('a conversation between turns', () => {
  it('carries its dialog and the language the user chose from one turn to the next', async () => {
    const bot = engine();
    const conversation = new Conversation();
    await conversation.turn(bot, { channelLocale: 'en-GB', turnId: 'c|1' });
    const german = content().resources.de.common as { language: { name: string } };
    await conversation.turn(bot, { channelLocale: 'en-GB', message: { text: german.language.name }, turnId: 'c|2' });
    expect(conversation.preferredLanguage).toBe('de');
    const next = await conversation.turn(bot, { channelLocale: 'en-GB', message: { text: '2' }, turnId: 'c|3' });
    expect(next.language).toBe('de');
    // Went on from where it was: a conversation that forgot its dialog would open with the welcome again.
    expect(next.said).not.toContain('common:welcome');
    expect(next.trace.state).not.toBe(content().dialog.start);
    expect(conversation.stored).toBe(next.stored);
  });
});
