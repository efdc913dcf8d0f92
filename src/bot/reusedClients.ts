import { ConfigurationBotFrameworkAuthentication } from 'botbuilder';

type ClaimsIdentity = Parameters<ConfigurationBotFrameworkAuthentication['createUserTokenClient']>[0];
type ConnectorFactory = ReturnType<ConfigurationBotFrameworkAuthentication['createConnectorFactory']>;
type ConnectorClient = Awaited<ReturnType<ConnectorFactory['create']>>;
type UserTokenClient = Awaited<ReturnType<ConfigurationBotFrameworkAuthentication['createUserTokenClient']>>;

/** How many clients are kept (one per bot identity and channel address; a deployment has a handful). */
const KEPT = 64;

/**
 * The Bot Framework authentication of the bot, keeping the clients botbuilder makes for each turn: a Connector
 * client per bot identity, channel address and audience, and a user-token client per bot identity. Each one
 * builds an HTTP pipeline (a few hundred objects) that a turn answered in its HTTP response never uses; the
 * same client, with the credentials it holds (which keep their token until it expires), serves every turn of
 * that channel. The clients hold no state of a turn or a conversation.
 */
export class ReusedClientsAuthentication extends ConfigurationBotFrameworkAuthentication {
  private readonly connectors = new Kept<Promise<ConnectorClient>>(KEPT);
  private readonly userTokens = new Kept<Promise<UserTokenClient>>(KEPT);

  override async authenticateRequest(
    ...args: Parameters<ConfigurationBotFrameworkAuthentication['authenticateRequest']>
  ): ReturnType<ConfigurationBotFrameworkAuthentication['authenticateRequest']> {
    const result = await super.authenticateRequest(...args);
    const made = result.connectorFactory;
    return made ? { ...result, connectorFactory: this.reusing(result.claimsIdentity, made) } : result;
  }

  override createConnectorFactory(claimsIdentity: ClaimsIdentity): ConnectorFactory {
    return this.reusing(claimsIdentity, super.createConnectorFactory(claimsIdentity));
  }

  override createUserTokenClient(claimsIdentity: ClaimsIdentity): Promise<UserTokenClient> {
    return this.userTokens.get(appIdOf(claimsIdentity), () => super.createUserTokenClient(claimsIdentity));
  }

  /** The factory botbuilder made for this identity, handing out the client it made before for the same address. */
  private reusing(claimsIdentity: ClaimsIdentity, made: ConnectorFactory): ConnectorFactory {
    const appId = appIdOf(claimsIdentity);
    const connectors = this.connectors;
    return {
      create: (serviceUrl: string, audience?: string) =>
        connectors.get(JSON.stringify([appId, serviceUrl, audience ?? null]), () => made.create(serviceUrl, audience)),
    };
  }
}

/**
 * The bot's own app id as botbuilder finds it in a request's claims: the audience of a channel's token, the app
 * id claim of the Emulator's, none for an anonymous request.
 */
function appIdOf(claimsIdentity: ClaimsIdentity): string {
  return claimsIdentity.getClaimValue('aud') ?? claimsIdentity.getClaimValue('appid') ?? '';
}

/** At most `most` values by key, the oldest dropped first; a value whose making failed is not kept. */
class Kept<T extends Promise<unknown>> {
  private readonly values = new Map<string, T>();

  constructor(private readonly most: number) {}

  get(key: string, make: () => T): T {
    const found = this.values.get(key);
    if (found) return found;
    const made = make();
    this.values.set(key, made);
    if (this.values.size > this.most) this.values.delete(this.values.keys().next().value!);
    made.catch(() => {
      if (this.values.get(key) === made) this.values.delete(key);
    });
    return made;
  }
}
