import type { Next, Request, Response } from 'restify';

/** Reads a JSON body with a size limit; malformed or oversized bodies get a clear 4xx, never a stack trace. */
export function readJsonBody(maxBytes: number) {
  return (req: Request, res: Response, next: Next): void => {
    const type = req.header('content-type') ?? '';
    if (!/^application\/(.+\+)?json\b/i.test(type)) {
      res.send(415, { error: 'unsupported_media_type', message: 'Send the body as application/json.' });
      return next(false);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let finished = false;
    const fail = (status: number, body: Record<string, string>) => {
      if (finished) return;
      finished = true;
      res.send(status, body);
      next(false);
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        // Answer now and let the rest of the upload drain unread.
        fail(413, { error: 'payload_too_large', message: `The body is larger than ${maxBytes} bytes.` });
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', () => fail(400, { error: 'invalid_json', message: 'The request body could not be read.' }));
    req.on('end', () => {
      if (finished) return;
      try {
        req.body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        fail(400, { error: 'invalid_json', message: 'The request body is not valid JSON.' });
        return;
      }
      finished = true;
      next();
    });
  };
}
