import { Chat, content, engine, english } from '../support/helpers';

/**
 * The work a turn does: the language of a message is guessed only when the guess can change the reply. A
 * click, a number, a command or a short message from someone whose language is known cannot switch it, nor
 * can an answer to a question.
 */
describe('language detection on a turn', () => {
  async function detections(
    turns: (chat: Chat) => Promise<unknown>,
    locale = 'en-GB',
    before: (chat: Chat) => Promise<unknown> = async () => undefined,
  ): Promise<number> {
    const bot = engine();
    const chat = new Chat(bot, locale);
    await chat.open();
    await before(chat);
    const detect = jest.spyOn(bot.understanding, 'detectLanguage');
    await turns(chat);
    return detect.mock.calls.length;
  }

  const { nodes, start } = content().dialog;
  const first = (nodes[start] as unknown as { choices: Array<{ id: string; goto: string }> }).choices[0]!;

  it('is skipped for a button, a number, a command and a short message when the language is known', async () => {
    expect(await detections((chat) => chat.send({ value: { choice: first.id, state: start } }))).toBe(0);
    expect(await detections((chat) => chat.say('1'))).toBe(0);
    expect(await detections((chat) => chat.say(english('common:commands.menu').split('|')[0]!))).toBe(0);
    expect(await detections((chat) => chat.say('hello there'))).toBe(0);
  });

  it('is skipped for the answer to a question', async () => {
    const form = Object.entries(nodes).find(([, node]) => 'ask' in node)!;
    const entry = Object.entries(nodes).find(
      ([, node]) => 'choices' in node && node.choices.some((choice) => choice.goto === form[0]),
    )!;
    const count = await detections(
      (chat) => chat.say('Ana María García López de la Fuente'),
      'en-GB',
      async (chat) => {
        if (entry[0] !== start) await chat.choose(entry[0]);
        await chat.choose(form[0]);
        expect(chat.last.trace.expecting).not.toBeNull();
      },
    );
    expect(count).toBe(0);
  });

  it('still reads a longer message, which may switch the language', async () => {
    const spanish = 'No puedo entrar en mi cuenta de resultados desde ayer por la tarde';
    expect(await detections((chat) => chat.say(spanish))).toBe(1);
    const chat = new Chat(engine(), 'en-GB');
    await chat.open();
    await chat.say(spanish);
    expect(chat.last.language).toBe('es');
  });

  it('still reads the first message when nothing else says the language', async () => {
    expect(await detections((chat) => chat.say('hola'), '')).toBe(1);
  });
});
