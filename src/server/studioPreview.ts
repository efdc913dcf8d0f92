import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import type { Request, Response, Server } from 'restify';
import { TRACE_NAME, TRACE_VALUE_TYPE } from '../bot/activities';
import { PROJECT_ROOT } from '../config';
import { isLanguage, LANGUAGES, type Language } from '../dialog/languages';
import { readJsonBody } from '../http/jsonBody';
import type { ConversationStore } from '../directLine/conversationStore';
import {
  ANSWER_MASK_FIELD,
  DirectLineError,
  LocalDirectLine,
  type ChannelActivity,
} from '../directLine/localDirectLine';
import type { DirectLineTokens } from '../directLine/tokens';
import { mountDirectLine } from '../directLine/routes';
import type { Logger } from '../logger';
import type { Studio } from '../studio/studio';
import { said } from '../dialog/studioWords';
import { cookieOf, type StudioWords } from './studioHttp';

/** The preview's own Direct Line endpoint: beside the page's, never handing anything to the live bot. */
export const PREVIEW_DIRECT_LINE_PATH = '/studio/directline';

/** The files of the Web Chat pane: the same bundle, Direct Line client and Markdown as the chat page. */
const FILES: Record<string, { file: () => string; type: string }> = {
  'webchat.js': {
    file: () => path.join(path.dirname(require.resolve('botframework-webchat')), '..', 'dist', 'webchat-minimal.js'),
    type: 'text/javascript; charset=utf-8',
  },
  'directLine.js': {
    file: () => path.join(PROJECT_ROOT, 'web', 'directLine.js'),
    type: 'text/javascript; charset=utf-8',
  },
  'markdown.js': { file: () => path.join(PROJECT_ROOT, 'web', 'markdown.js'), type: 'text/javascript; charset=utf-8' },
  'preview.js': {
    file: () => path.join(PROJECT_ROOT, 'web', 'studio', 'preview.js'),
    type: 'text/javascript; charset=utf-8',
  },
};

type Guarded = (
  handler: (req: Request, res: Response, session: unknown, sessionId: string) => Promise<void>,
  need?: { csrf?: boolean },
) => (req: Request, res: Response) => Promise<void>;

/** Where the preview's conversations live and what signs its tokens: Redis and a shared key, else this process. */
export interface PreviewDirectLine {
  store?: ConversationStore;
  tokens?: DirectLineTokens;
}

/** The key a Direct Line conversation of the preview is kept under in the preview store. */
const previewId = (conversationId: string) => `directline:${conversationId}`;

/**
 * The studio's preview as a Web Chat conversation: a Direct Line endpoint of its own whose conversations are
 * bound to a signed-in studio session and answered by the draft (with the demo accounts, never the real account
 * service), each reply followed by the dialog-state trace the page shows beside the turn. With Redis, any instance
 * serves any request of a conversation: its transcript, its dialog and its token are shared.
 */
export class PreviewChannel {
  readonly hub: LocalDirectLine;

  constructor(
    private readonly studio: Studio,
    private readonly words: StudioWords,
    parts: PreviewDirectLine = {},
  ) {
    this.hub = new LocalDirectLine({
      deliver: (activity) => this.deliver(activity),
      // Replies are appended here directly: nothing goes through a connector.
      serviceUrl: () => '',
      bot: { id: 'studio-preview', name: 'Preview' },
      ...(parts.store ? { store: parts.store } : {}),
      ...(parts.tokens ? { tokens: parts.tokens } : {}),
    });
  }

  /**
   * A new preview conversation for the session, in this language: its token and the endpoint's path. Why the draft
   * cannot answer is said in `pageLanguage`, the lead's.
   */
  async start(sessionId: string, language: Language, pageLanguage: Language) {
    const info = this.hub.issue();
    await this.studio.openPreview(previewId(info.conversationId), sessionId, language, pageLanguage);
    return {
      conversationId: info.conversationId,
      token: info.token,
      expires_in: info.expires_in,
      domain: PREVIEW_DIRECT_LINE_PATH,
    };
  }

  /** Lets a request use a conversation only with the signed-in studio session that opened it (its cookie). */
  async admit(req: IncomingMessage, token: string | undefined): Promise<void> {
    const claims = this.hub.tokens.verify(token);
    // A token that is no good is refused by the endpoint itself, in Direct Line's words.
    if (!claims) return;
    if (!(await this.studio.previewOf(previewId(claims.conversationId), cookieOf(req))))
      throw new DirectLineError(
        'Forbidden',
        this.words.sayIn(this.words.languageOf(req), said('error.previewNotYours')),
      );
  }

  private async deliver(activity: ChannelActivity): Promise<void> {
    const conversationId = activity.conversation?.id ?? '';
    const joined = activity.type === 'event' && activity.name === 'webchat/join';
    if (!joined && activity.type !== 'message') return;
    const turn = await this.studio.previewTurn(
      previewId(conversationId),
      joined ? { restart: true } : { text: String(activity.text ?? '').slice(0, 2000) },
    );
    if (!turn) return;
    const { kept, reply } = turn;
    const replies: Array<Record<string, unknown>> =
      'problems' in reply
        ? [
            {
              type: 'message',
              text: this.words.sayIn(
                kept.pageLanguage,
                said('error.noPreview', { problems: reply.problems.map((each) => each.message).join('; ') }),
              ),
            },
          ]
        : [
            {
              type: 'message',
              text: reply.messages.join('\n\n'),
              textFormat: 'markdown',
              locale: kept.language,
              // Asking for a secret: the answer is then kept masked in the preview's transcript, as on the chat page.
              ...(reply.answerMask ? { channelData: { [ANSWER_MASK_FIELD]: reply.answerMask } } : {}),
              ...(reply.buttons.length > 0
                ? {
                    suggestedActions: {
                      to: [],
                      actions: reply.buttons.map(({ title }) => ({ type: 'imBack', title, value: title })),
                    },
                  }
                : {}),
            },
            {
              type: 'trace',
              name: TRACE_NAME,
              valueType: TRACE_VALUE_TYPE,
              value: { ...reply.trace, said: reply.said },
            },
          ];
    for (const each of replies) await this.hub.fromBot(conversationId, { ...each, replyToId: activity.id });
  }

  async close(): Promise<void> {
    await this.hub.close();
  }
}

/** The preview's routes: its files, a conversation for the signed-in session, and its Direct Line endpoint. */
export function mountPreviewChannel(
  server: Server,
  channel: PreviewChannel,
  guarded: Guarded,
  logger: Logger,
  trustProxy: boolean,
  words: StudioWords,
): () => void {
  server.get('/studio/webchat/:file', async (req: Request, res: Response) => {
    const file = FILES[String(req.params?.file ?? '')];
    if (!file) {
      words.fail(req, res, 404, 'not_found', said('error.noFile'));
      return;
    }
    res.setHeader('content-type', file.type);
    res.setHeader('cache-control', 'no-cache');
    res.setHeader('x-content-type-options', 'nosniff');
    res.writeHead(200);
    res.end(readFileSync(file.file()));
  });

  server.post(
    '/studio/api/preview/conversations',
    readJsonBody(16 * 1024),
    guarded(
      async (req, res, _session, sessionId) => {
        const body = (req.body ?? {}) as Record<string, unknown>;
        const language = body.language ?? 'en';
        if (typeof language !== 'string' || !isLanguage(language)) {
          words.fail(req, res, 400, 'bad_request', said('error.language', { languages: LANGUAGES.join(', ') }));
          return;
        }
        res.send(201, await channel.start(sessionId, language, words.languageOf(req)));
      },
      { csrf: true },
    ),
  );

  const { closeStreams } = mountDirectLine(server, channel.hub, {
    logger,
    trustProxy,
    basePath: PREVIEW_DIRECT_LINE_PATH,
    admit: (req, token) => channel.admit(req, token),
  });
  return closeStreams;
}
