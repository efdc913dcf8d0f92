import type { Request, Response, Server } from 'restify';
import { readJsonBody } from '../http/jsonBody';
import { problemSaying, type Problem } from '../studio/checks';
import type { Precondition, StructureResult } from '../studio/structureEditor';
import { parseChanges, type StructureChange } from '../studio/structure';
import type { Studio } from '../studio/studio';
import { isLanguage } from '../studio/texts';
import { said, type Said } from '../dialog/studioWords';
import { LANGUAGES } from '../dialog/languages';
import type { StudioWords, Guarded } from './studioHttp';

const BODY_LIMIT = 512 * 1024;
const NAME = /^[A-Za-z][A-Za-z0-9]*$/;

function etagIn(req: Request, header: 'if-match' | 'if-none-match'): string | undefined {
  return req.header(header)?.replace(/^W\//, '').replace(/"/g, '') || undefined;
}

function answer(words: StudioWords, req: Request, res: Response, result: StructureResult, created = false): void {
  if (result.status === 'no draft') return words.fail(req, res, 404, 'not_found', said('error.noDraft'));
  if (result.status === 'conflict')
    return words.fail(req, res, 409, 'conflict', said('error.structureConflict'), { etag: result.etag });
  if (result.status === 'invalid')
    return words.fail(req, res, 422, 'invalid_structure', said('error.invalidStructure'), {
      problems: result.problems,
    });
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
  words: StudioWords,
): void {
  const editor = studio.structure;
  const stepId = (req: Request) => String(req.params?.id ?? '');
  const fail = words.fail.bind(words);
  const invalid = (req: Request, res: Response, field: string, key: 'problem.name') =>
    fail(req, res, 422, 'invalid_structure', said('error.invalidStructure'), {
      problems: [problemSaying(field, key)],
    });
  const needEtag = (req: Request, res: Response) =>
    fail(req, res, 428, 'precondition_required', said('error.sendEtag'));
  const unknownLanguage = said('error.language', { languages: LANGUAGES.join(', ') });

  /** Runs changes under an etag: a wrong shape is a 422 naming the field, a stale etag a 409. */
  const run = async (
    req: Request,
    res: Response,
    changes: unknown,
    precondition: Precondition | undefined,
    actor: string,
    created = false,
  ): Promise<void> => {
    if (!precondition) return needEtag(req, res);
    // A route for one change names the fields of its own body ("step", "examples[3]").
    const own = (problems: Problem[]) =>
      precondition.of === 'structure'
        ? problems
        : problems.map((problem) => ({ ...problem, field: problem.field.replace(/^changes\[0\]\.?/, '') || 'body' }));
    const parsed = parseChanges(changes);
    if ('problems' in parsed)
      return fail(req, res, 422, 'invalid_structure', said('error.invalidStructure'), {
        problems: own(parsed.problems),
      });
    const result = await editor.change(parsed.changes, precondition, { actor });
    answer(
      words,
      req,
      res,
      result.status === 'invalid' ? { ...result, problems: own(result.problems) } : result,
      created,
    );
  };

  /** A route that reads something with its etag (also in the ETag header); what is said is why there is none. */
  const readable = (route: string, read: (req: Request) => Promise<{ etag: string } | Said>) =>
    server.get(
      route,
      guarded(async (req, res) => {
        const found = await read(req);
        if (!('etag' in found)) return fail(req, res, 404, 'not_found', found);
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
        await run(req, res, body(req).changes, etag ? { of: 'structure', etag } : undefined, session.email);
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
        if ('problems' in parsed)
          return res.send(200, { problems: words.problems(req, parsed.problems), captures: [] });
        const { problems, captures } = await editor.check(parsed.changes);
        res.send(200, { problems: words.problems(req, problems), captures });
      },
      { csrf: true },
    ),
  );

  readable(
    '/studio/api/steps/:id',
    async (req) => (await editor.step(stepId(req))) ?? said('error.noStep', { step: stepId(req) }),
  );

  server.put(
    '/studio/api/steps/:id',
    readJsonBody(BODY_LIMIT),
    guarded(
      async (req, res, session) => {
        const id = stepId(req);
        if (!NAME.test(id)) return invalid(req, res, 'id', 'problem.name');
        const { step, texts } = body(req);
        const change = { op: 'setStep', id, step, ...(texts === undefined ? {} : { texts }) };
        const etag = etagIn(req, 'if-match');
        const create = etagIn(req, 'if-none-match') === '*';
        const precondition: Precondition | undefined = create
          ? { of: 'new step', id }
          : etag
            ? { of: 'step', id, etag }
            : undefined;
        await run(req, res, [change], precondition, session.email, create);
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
        await run(req, res, [change], etag ? { of: 'step', id, etag } : undefined, session.email);
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
          req,
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
    return isLanguage(language) ? editor.examples(language, String(req.params?.topic ?? '')) : unknownLanguage;
  });

  server.put(
    '/studio/api/examples/:language/:topic',
    readJsonBody(BODY_LIMIT),
    guarded(
      async (req, res, session) => {
        const language = String(req.params?.language ?? '');
        const topic = String(req.params?.topic ?? '');
        if (!isLanguage(language)) return fail(req, res, 404, 'not_found', unknownLanguage);
        const etag = etagIn(req, 'if-match');
        const change = { op: 'setExamples', language, topic, examples: body(req).examples };
        await run(req, res, [change], etag ? { of: 'examples', language, topic, etag } : undefined, session.email);
      },
      { csrf: true },
    ),
  );
}
