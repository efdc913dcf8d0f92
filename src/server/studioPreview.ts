import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Request, Response, Server } from 'restify';
import { TRACE_NAME, TRACE_VALUE_TYPE } from '../bot/activities';
import { PROJECT_ROOT } from '../config';
import { isLanguage, LANGUAGES, type Language } from '../dialog/languages';
import { readJsonBody } from '../http/jsonBody';
import { LocalDirectLine, type ChannelActivity } from '../directLine/localDirectLine';
import { mountDirectLine } from '../directLine/routes';
import type { Logger } from '../logger';
import type { Studio } from '../studio/studio';
import { said } from '../dialog/studioWords';
import type { StudioWords } from './studioHttp';

/** The preview's own Direct Line endpoint: beside the page's, never handing anything to the live bot. */
export const PREVIEW_DIRECT_LINE_PATH = '/studio/directline';
/** Preview conversations kept at once (per instance); the oldest is let go first. */
const OPEN_PREVIEWS = 100;

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

/**
 * The studio's preview as a Web Chat conversation: a Direct Line endpoint of its own whose conversations are
 * bound to a signed-in studio session and answered by the draft (with the demo accounts, never the real account
 * service), each reply followed by the dialog-state trace the page shows beside the turn.
 */
export class PreviewChannel {
  readonly hub: LocalDirectLine;
  private readonly open = new Map<
    string,
    { sessionId: string; language: Language; say: (problems: string) => string }
  >();

  constructor(private readonly studio: Studio) {
    this.hub = new LocalDirectLine({
      deliver: (activity) => this.deliver(activity),
      // Replies are appended here directly: nothing goes through a connector.
      serviceUrl: () => '',
      bot: { id: 'studio-preview', name: 'Preview' },
    });
  }

  /**
   * A new preview conversation for the session, in this language: its token and the endpoint's path. `say` puts
   * why the draft cannot answer into the lead's words.
   */
  start(sessionId: string, language: Language, say: (problems: string) => string) {
    const info = this.hub.issue();
    this.open.set(info.conversationId, { sessionId, language, say });
    if (this.open.size > OPEN_PREVIEWS) this.open.delete(this.open.keys().next().value!);
    return {
      conversationId: info.conversationId,
      token: info.token,
      expires_in: info.expires_in,
      domain: PREVIEW_DIRECT_LINE_PATH,
    };
  }

  private async deliver(activity: ChannelActivity): Promise<void> {
    const conversationId = activity.conversation?.id ?? '';
    const open = this.open.get(conversationId);
    if (!open) return;
    const joined = activity.type === 'event' && activity.name === 'webchat/join';
    if (!joined && activity.type !== 'message') return;
    const result = await this.studio.preview(`directline:${conversationId}`, {
      language: open.language,
      ...(joined ? { restart: true } : { text: String(activity.text ?? '').slice(0, 2000) }),
    });
    const replies: Array<Record<string, unknown>> =
      'problems' in result
        ? [
            {
              type: 'message',
              text: open.say(result.problems.map((each) => each.message).join('; ')),
            },
          ]
        : [
            {
              type: 'message',
              text: result.messages.join('\n\n'),
              textFormat: 'markdown',
              locale: open.language,
              ...(result.buttons.length > 0
                ? {
                    suggestedActions: {
                      to: [],
                      actions: result.buttons.map(({ title }) => ({ type: 'imBack', title, value: title })),
                    },
                  }
                : {}),
            },
            {
              type: 'trace',
              name: TRACE_NAME,
              valueType: TRACE_VALUE_TYPE,
              value: { ...result.trace, said: result.said },
            },
          ];
    for (const reply of replies) await this.hub.fromBot(conversationId, { ...reply, replyToId: activity.id });
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
        const say = (problems: string) => words.say(req, said('error.noPreview', { problems }));
        res.send(201, channel.start(sessionId, language, say));
      },
      { csrf: true },
    ),
  );

  const { closeStreams } = mountDirectLine(
    server,
    channel.hub,
    undefined,
    logger,
    trustProxy,
    undefined,
    PREVIEW_DIRECT_LINE_PATH,
  );
  return closeStreams;
}
