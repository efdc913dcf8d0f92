import { CloudAdapter, type Activity, type TurnContext } from 'botbuilder';
import { ReusedClientsAuthentication } from '../../src/bot/reusedClients';

/** The Connector and user-token clients botbuilder hands a turn for an anonymous activity from `serviceUrl`. */
async function clientsOfTurn(adapter: CloudAdapter, serviceUrl: string, id: string) {
  const activity = {
    type: 'message',
    id,
    text: 'hi',
    channelId: 'emulator',
    serviceUrl,
    conversation: { id: 'conversation-1' },
    from: { id: 'user-1' },
    recipient: { id: 'bot' },
  } as Activity;
  let seen: { connector: unknown; userToken: unknown } | undefined;
  await adapter.processActivityDirect('', activity, async (context: TurnContext) => {
    seen = {
      connector: context.turnState.get(adapter.ConnectorClientKey),
      userToken: context.turnState.get(adapter.UserTokenClientKey),
    };
  });
  return seen!;
}

describe('the clients botbuilder makes for each turn', () => {
  const adapter = new CloudAdapter(new ReusedClientsAuthentication({}));

  it('are made once per channel address and reused by the turns that follow', async () => {
    const first = await clientsOfTurn(adapter, 'http://127.0.0.1:3978/', 'a');
    const second = await clientsOfTurn(adapter, 'http://127.0.0.1:3978/', 'b');
    expect(first.connector).toBeDefined();
    expect(first.userToken).toBeDefined();
    expect(second.connector).toBe(first.connector);
    expect(second.userToken).toBe(first.userToken);
  });

  it('are not shared between channel addresses', async () => {
    const one = await clientsOfTurn(adapter, 'http://127.0.0.1:3978/', 'c');
    const other = await clientsOfTurn(adapter, 'http://127.0.0.1:3979/', 'd');
    expect(other.connector).not.toBe(one.connector);
    expect((other.connector as { baseUri?: string }).baseUri).toBe('http://127.0.0.1:3979/');
  });
});
