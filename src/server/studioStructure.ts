import type { Request, Response, Server } from 'restify';
import { readJsonBody } from '../http/jsonBody';
import type { Problem } from '../studio/checks';
import type { Precondition, StructureResult } from '../studio/structureEditor';
import { parseChanges, type StructureChange } from '../studio/structure';
import type { Studio } from '../studio/studio';
import { isLanguage } from '../studio/texts';
import { fail, type Guarded } from './studioHttp';

const BODY_LIMIT = 512 * 1024;
const NAME = /^[A-Za-z][A-Za-z0-9]*$/;

function etagIn(req: Request, header: 'if-match' | 'if-none-match'): string | undefined {
  return req.header(header)?.replace(/^W\//, '').replace(/"/g, '') || undefined;
}

function answer(res: Response, result: StructureResult, created = false): void {
  if (result.status === 'no draft') return fail(res, 404, 'not_found', 'There is no draft yet.');
  if (result.status === 'conflict')
    return fail(res, 409, 'conflict', 'Someone changed this since you read it; read it again and redo your change.', {
      etag: result.etag,
    });
  if (result.status === 'invalid')
    return fail(res, 422, 'invalid_structure', 'The change breaks a rule.', { problems: result.problems });
  res.setHeader('etag', `"${result.etag}"`);
  res.send(created ? 201 : 200, { etag: result.etag, captures: result.captures });
}

/**
 * The dialog's structure and what candidates type (api/studio.v1.yaml): steps, choices, questions, yes/no
 * branches, menu topics and their examples, edited in the draft with the same checks as content:check.
 */
export function mountStructure(
  server: Server,
  studio: Studio,
  guarded: Guarded,
  body: (req: Request) => Record<string, unknown>,
): void {
  const editor = studio.structure;
  const stepId = (req: Request) => String(req.params?.id ?? '');
  const invalid = (res: Response, field: string, message: string) =>
    fail(res, 422, 'invalid_structure', 'The change breaks a rule.', { problems: [{ field, message }] });
  const needEtag = (res: Response) =>
    fail(res, 428, 'precondition_required', 'Send the etag you read in the If-Match header.');

  /** Runs changes under an etag: a wrong shape is a 422 naming the field, a stale etag a 409. */
  const run = async (
    res: Response,
    changes: unknown,
    precondition: Precondition | undefined,
    actor: string,
    created = false,
  ): Promise<void> => {
    if (!precondition) return needEtag(res);
    // A route for one change names the fields of its own body ("step", "examples[3]").
    const own = (problems: Problem[]) =>
      precondition.of === 'structure'
        ? problems
        : problems.map((problem) => ({ ...problem, field: problem.field.replace(/^changes\[0\]\.?/, '') || 'body' }));
    const parsed = parseChanges(changes);
    if ('problems' in parsed)
      return fail(res, 422, 'invalid_structure', 'The change breaks a rule.', { problems: own(parsed.problems) });
    const result = await editor.change(parsed.changes, precondition, { actor });
    answer(res, result.status === 'invalid' ? { ...result, problems: own(result.problems) } : result, created);
  };

  /** A route that reads something with its etag (also in the ETag header); a string found is why there is none. */
  const readable = (route: string, read: (req: Request) => Promise<{ etag: string } | string>) =>
    server.get(
      route,
      guarded(async (req, res) => {
        const found = await read(req);
        if (typeof found === 'string') return fail(res, 404, 'not_found', found);
        res.setHeader('etag', `"${found.etag}"`);
        res.send(200, found);
      }),
    );

  readable('/studio/api/structure', () => editor.structure());

  server.post(
    '/studio/api/structure',
    readJsonBody(BODY_LIMIT),
    guarded(
      async (req, res, session) => {
        const etag = etagIn(req, 'if-match');
        await run(res, body(req).changes, etag ? { of: 'structure', etag } : undefined, session.email);
      },
      { csrf: true },
    ),
  );

  /** What the changes would bring (problems, and messages a changed topic starts to capture), nothing saved. */
  server.post(
    '/studio/api/structure/check',
    readJsonBody(BODY_LIMIT),
    guarded(
      async (req, res) => {
        const parsed = parseChanges(body(req).changes);
        if ('problems' in parsed) return res.send(200, { problems: parsed.problems, captures: [] });
        res.send(200, await editor.check(parsed.changes));
      },
      { csrf: true },
    ),
  );

  readable(
    '/studio/api/steps/:id',
    async (req) => (await editor.step(stepId(req))) ?? `There is no step "${stepId(req)}".`,
  );

  server.put(
    '/studio/api/steps/:id',
    readJsonBody(BODY_LIMIT),
    guarded(
      async (req, res, session) => {
        const id = stepId(req);
        if (!NAME.test(id))
          return invalid(res, 'id', 'must be a name made of letters and digits, starting with a letter');
        const { step, texts } = body(req);
        const change = { op: 'setStep', id, step, ...(texts === undefined ? {} : { texts }) };
        const etag = etagIn(req, 'if-match');
        const create = etagIn(req, 'if-none-match') === '*';
        const precondition: Precondition | undefined = create
          ? { of: 'new step', id }
          : etag
            ? { of: 'step', id, etag }
            : undefined;
        await run(res, [change], precondition, session.email, create);
      },
      { csrf: true },
    ),
  );

  server.del(
    '/studio/api/steps/:id',
    guarded(
      async (req, res, session) => {
        const id = stepId(req);
        const etag = etagIn(req, 'if-match');
        const change: StructureChange = { op: 'removeStep', id };
        await run(res, [change], etag ? { of: 'step', id, etag } : undefined, session.email);
      },
      { csrf: true },
    ),
  );

  server.post(
    '/studio/api/steps/:id/rename',
    readJsonBody(16 * 1024),
    guarded(
      async (req, res, session) => {
        const id = stepId(req);
        const etag = etagIn(req, 'if-match');
        const { to } = body(req);
        // The etag read before is the step's under its old name; the answer's is under the new name.
        await run(
          res,
          [{ op: 'renameStep', id, to }],
          etag ? { of: 'step', id, etag, as: String(to) } : undefined,
          session.email,
        );
      },
      { csrf: true },
    ),
  );

  readable('/studio/api/examples/:language/:topic', async (req) => {
    const language = String(req.params?.language ?? '');
    return isLanguage(language)
      ? editor.examples(language, String(req.params?.topic ?? ''))
      : 'The language must be one of en, es, it, fr, de.';
  });

  server.put(
    '/studio/api/examples/:language/:topic',
    readJsonBody(BODY_LIMIT),
    guarded(
      async (req, res, session) => {
        const language = String(req.params?.language ?? '');
        const topic = String(req.params?.topic ?? '');
        if (!isLanguage(language))
          return fail(res, 404, 'not_found', 'The language must be one of en, es, it, fr, de.');
        const etag = etagIn(req, 'if-match');
        const change = { op: 'setExamples', language, topic, examples: body(req).examples };
        await run(res, [change], etag ? { of: 'examples', language, topic, etag } : undefined, session.email);
      },
      { csrf: true },
    ),
  );
}
