/** What the studio's route modules share: the guard for signed-in people, and answers in the lead's language. */
import type { IncomingMessage } from 'node:http';
import type { Request, Response } from 'restify';
import type { Language } from '../dialog/languages';
import { sayIn, type Said, type WordValues } from '../dialog/studioWords';
import type { Session } from '../studio/studio';
import { pageLanguage } from './webChat';

/** The studio session's cookie: sent with every request under /studio, the preview's Direct Line too. */
export const SESSION_COOKIE = 'studio_session';

export function cookieOf(req: Pick<IncomingMessage, 'headers'>, cookie = SESSION_COOKIE): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === cookie) return value.join('=');
  }
  return undefined;
}

/** What the studio's routes for signed-in people do, once the session is known. */
export type Handler = (req: Request, res: Response, session: Session, sessionId: string) => Promise<void>;
/** Wraps a handler for signed-in people; `csrf` for state-changing calls, `publisher` for publishing ones. */
export type Guarded = (
  handler: Handler,
  need?: { csrf?: boolean; publisher?: boolean },
) => (req: Request, res: Response) => Promise<void>;

/** The current content's texts: `translate('de', 'web:studio.error.csrf')`. */
export type Translate = (language: Language, key: string, values?: WordValues) => string;

/**
 * The studio's answers in the language a request asks for with Accept-Language (the page sends its own), English
 * when it asks for none the bot speaks.
 */
export class StudioWords {
  constructor(private readonly translate: Translate) {}

  languageOf(req: Pick<IncomingMessage, 'headers'>): Language {
    return pageLanguage(undefined, req.headers['accept-language']);
  }

  say(req: Request, words: Said): string {
    return this.sayIn(this.languageOf(req), words);
  }

  sayIn(language: Language, words: Said): string {
    return sayIn((key, values) => this.translate(language, key, values), words);
  }

  /** Problems with their messages in the request's language (one without a key keeps its own words). */
  problems<Each extends { message: string; says?: Said; place?: string }>(
    req: Request,
    problems: readonly Each[],
  ): Array<Omit<Each, 'says' | 'place'>> {
    return problems.map(({ says, place, ...problem }) => {
      if (!says) return problem;
      // A content problem the draft does not load with names its place first, as content:check prints it.
      const message = this.say(req, says);
      return { ...problem, message: place ? `${place}: ${message}` : message };
    });
  }

  /** An error answer: its code, what went wrong in the lead's language, and anything more (problems are said too). */
  fail(
    req: Request,
    res: Response,
    status: number,
    error: string,
    words: Said,
    extra: { problems?: ReadonlyArray<{ message: string; says?: Said }> } & Record<string, unknown> = {},
  ): void {
    res.setHeader('cache-control', 'no-store');
    const problems = extra.problems ? { problems: this.problems(req, extra.problems) } : {};
    res.send(status, { error, message: this.say(req, words), ...extra, ...problems });
  }
}
