/** What the studio's route modules share: the guard for signed-in people and the error answer. */
import type { Request, Response } from 'restify';
import type { Session } from '../studio/studio';

/** What the studio's routes for signed-in people do, once the session is known. */
export type Handler = (req: Request, res: Response, session: Session, sessionId: string) => Promise<void>;
/** Wraps a handler for signed-in people; `csrf` for state-changing calls, `publisher` for publishing ones. */
export type Guarded = (
  handler: Handler,
  need?: { csrf?: boolean; publisher?: boolean },
) => (req: Request, res: Response) => Promise<void>;

export function fail(res: Response, status: number, error: string, message: string, extra: object = {}): void {
  res.setHeader('cache-control', 'no-store');
  res.send(status, { error, message, ...extra });
}
