import {
  type Activity,
  ActivityTypes,
  CloudAdapter,
  type ConfigurationBotFrameworkAuthentication,
  type ConversationReference,
  DeliveryModes,
  TurnContext,
  type Request,
  type Response,
  type Storage,
} from 'botbuilder';
import type { i18n } from 'i18next';
import type { Language } from '../dialog/languages';
import { resolveLanguage } from '../conversation/language';
import type { Runtime } from '../conversation/runtime';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import type { Reminders } from '../reminders/reminders';
import type { TurnGate } from '../state/turnGate';
import { CLIENT_ADDRESS, HelpdeskBot, type HelpdeskBotOptions, type PendingReminder } from './helpdeskBot';
import { refuseActivity, refuseServiceUrl } from './incomingActivity';
import { RemoveRecipientMention } from './mentions';
import { ReusedClientsAuthentication } from './reusedClients';
import { TypingIndicator } from './typing';

export interface BotAuth {
  appId?: string;
  appPassword?: string;
  appType: 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI';
  tenantId?: string;
}

export interface BotEndpointOptions {
  auth: BotAuth;
  runtime: () => Runtime;
  storage: Storage;
  logger: Logger;
  gate?: TurnGate;
  metrics?: Metrics;
  /** Messages to send later (a lock's end); none without it. */
  reminders?: Reminders;
  /** Told of each turn once its replies are out (insights). */
  onTurn?: HelpdeskBotOptions['onTurn'];
  /** This process's own Bot Connector address for its Direct Line conversations (known once listening). */
  localServiceUrl?: () => string;
  /** Without `auth.appId`: where replies may go besides loopback and the own Direct Line (SERVICE_URL_ALLOWLIST). */
  serviceUrlAllowList?: readonly string[];
}

type Authenticated = Awaited<ReturnType<ConfigurationBotFrameworkAuthentication['authenticateRequest']>>;

/** The adapter, given a request the endpoint has already authenticated. */
class AuthenticatedAdapter extends CloudAdapter {
  runTurn(authenticated: Authenticated, activity: Activity, logic: (context: TurnContext) => Promise<void>) {
    return this.processActivity(authenticated, activity, logic);
  }
}

export interface BotEndpoint {
  /** Handles POST /api/messages with an already-parsed JSON body. */
  handle(req: Request, res: Response): Promise<void>;
  /**
   * Runs a turn for an activity from this process's own Direct Line endpoint. Those conversations are
   * anonymous by construction (the endpoint checked the user's token), and the replies go to its
   * serviceUrl without Bot Framework credentials.
   */
  /** `client.address`: where the page's request came from, for the limits per person. */
  deliverLocal(activity: Record<string, unknown>, client?: { address?: string }): Promise<void>;
  /** Resolves when no request is in progress any more, or after `timeoutMs`. */
  drain(timeoutMs: number): Promise<void>;
}

export function createBotEndpoint(options: BotEndpointOptions): BotEndpoint {
  const { auth, logger } = options;
  // The clients botbuilder makes for each turn are made once per channel address and reused.
  const authentication = new ReusedClientsAuthentication({
    MicrosoftAppId: auth.appId ?? '',
    MicrosoftAppPassword: auth.appPassword ?? '',
    MicrosoftAppType: auth.appType,
    MicrosoftAppTenantId: auth.tenantId ?? '',
  });
  const adapter = new AuthenticatedAdapter(authentication);
  // The local Direct Line endpoint talks to the bot in-process, never with Bot Framework tokens.
  const localAdapter = new CloudAdapter(new ReusedClientsAuthentication({}));
  const typing = new TypingIndicator();
  const mentions = new RemoveRecipientMention();
  for (const each of [adapter, localAdapter]) {
    each.onTurnError = turnErrorHandler(
      () => options.runtime().i18n,
      logger,
      (context) => bot.savedLanguage(context),
    );
    each.use(mentions, typing);
  }
  const reminders = options.reminders;
  const bot = new HelpdeskBot({
    ...options,
    ...(reminders
      ? {
          remind: async (context: TurnContext, reminder: PendingReminder) => {
            // A caller that collects replies in the HTTP response is not there to receive one later.
            if (context.activity.deliveryMode === DeliveryModes.ExpectReplies) return;
            await reminders.schedule({
              at: Date.parse(reminder.at),
              conversation: TurnContext.getConversationReference(context.activity) as unknown as Record<
                string,
                unknown
              >,
              via: context.adapter === localAdapter ? 'local' : 'channel',
              text: reminder.text,
              locale: reminder.locale,
              activity: reminder.activity,
            });
          },
        }
      : {}),
  });
  reminders?.start(async (reminder) => {
    const local = reminder.via === 'local';
    const reference = reminder.conversation as Partial<ConversationReference>;
    await (local ? localAdapter : adapter).continueConversationAsync(
      local ? '' : (auth.appId ?? ''),
      // Any instance serves any shared Direct Line conversation: reply through this one's own routes.
      local && options.localServiceUrl ? { ...reference, serviceUrl: options.localServiceUrl() } : reference,
      async (context) => {
        // The reminder answers nothing: without this it would reply to the made-up continuation activity, which
        // no transcript holds (Web Chat holds such a message back, waiting for what it replies to).
        delete (context.activity as Partial<Activity>).id;
        await context.sendActivity({
          ...((reminder.activity as Partial<Activity> | undefined) ?? {
            type: ActivityTypes.Message,
            text: reminder.text,
            textFormat: 'markdown',
          }),
          locale: reminder.locale,
        });
      },
    );
    logger.info({ via: reminder.via, channel: reminder.conversation.channelId }, 'reminder sent');
  });

  let inFlight = 0;
  let idle: (() => void) | undefined;
  return {
    async drain(timeoutMs) {
      if (inFlight === 0) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        idle = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    },
    async handle(req, res) {
      inFlight += 1;
      try {
        await handleOne(req, res);
      } finally {
        inFlight -= 1;
        if (inFlight === 0) idle?.();
      }
    },
    async deliverLocal(activity, client) {
      inFlight += 1;
      try {
        await localAdapter.processActivityDirect('', activity as unknown as Activity, (context) => {
          if (client?.address) context.turnState.set(CLIENT_ADDRESS, client.address);
          return bot.run(context);
        });
      } finally {
        inFlight -= 1;
        if (inFlight === 0) idle?.();
      }
    },
  };

  async function handleOne(req: Request, res: Response): Promise<void> {
    const refusal =
      refuseActivity(req.body) ??
      (auth.appId
        ? undefined
        : refuseServiceUrl(
            String(req.body!.serviceUrl),
            options.serviceUrlAllowList ?? [],
            options.localServiceUrl?.(),
          ));
    if (refusal) {
      res.send(refusal.status, refusal.body);
      return;
    }
    const activity = req.body as unknown as Activity;
    // Authenticated here rather than inside the adapter, which writes each refusal to stderr with its stack
    // and answers 500 when the signing keys cannot be fetched.
    let authenticated: Authenticated;
    try {
      authenticated = await authentication.authenticateRequest(activity, headerText(req.headers.authorization));
    } catch (error) {
      logger.warn({ reason: reasonOf(error) }, 'activity refused: not authenticated');
      res.send(401, { error: 'unauthorized', message: 'The request does not carry a valid Bot Framework token.' });
      return;
    }
    try {
      const response = await adapter.runTurn(authenticated, activity, (context) => bot.run(context));
      res.send(response?.status ?? 200, response?.body);
    } catch (error) {
      logger.error({ err: error }, 'request failed');
      res.send(500, { error: 'internal_error', message: 'The bot could not process this activity.' });
    }
  }
}

function headerText(value: string | string[] | undefined): string {
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

/** Why authentication failed, short enough for one log line; the token itself is never part of it. */
function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.slice(0, 200);
}

/**
 * Logs a failed turn and tells the user, in their language, to send the message again: the one they chose
 * (`savedLanguage`, when their state was read before the failure), else the channel's.
 */
export function turnErrorHandler(
  i18n: () => i18n,
  logger: Logger,
  savedLanguage: (context: TurnContext) => Language | undefined = () => undefined,
) {
  return async (context: TurnContext, error: Error): Promise<void> => {
    logger.error({ err: error, channel: context.activity.channelId }, 'turn failed');
    const preferred = savedLanguage(context);
    const { language } = resolveLanguage({ ...(preferred ? { preferred } : {}), locale: context.activity.locale });
    try {
      await context.sendActivity({ type: 'message', text: i18n().getFixedT(language, 'common')('turnError') });
    } catch (sendError) {
      logger.error({ err: sendError }, 'could not tell the user about the failed turn');
    }
  };
}
