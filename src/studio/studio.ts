import { randomBytes } from 'node:crypto';
import { isMap, parseDocument } from 'yaml';
import type { Content } from '../content/loadContent';
import { createTranslator } from '../content/i18n';
import { Conversation } from '../conversation/conversation';
import { ConversationEngine, type TurnResult } from '../conversation/engine';
import { turnIdOf } from '../conversation/turnId';
import { DEFAULT_LANGUAGE, type Language } from '../dialog/languages';
import { said, sayIn, type Said } from '../dialog/studioWords';
import type { Logger } from '../logger';
import { inMemoryAccounts, loadAccounts } from '../referenceService/referenceAccounts';
import { languageModelOf } from '../nlu/fromContent';
import { checkForPublishing, contentProblems, problemSaying, type Problem, type PublishChecks } from './checks';
import { decoyHash, hashPassword, verifyPassword } from './passwords';
import type { SlotSeal } from '../conversation/sealedSlots';
import { digestOf, MemoryPreviewStore, type KeptPreview, type PreviewStore } from './previewStore';
import { rebase } from './rebase';
import { checkSnapshot, hashOf, readSnapshot, type Snapshot } from './snapshot';
import type { StudioStore } from './store';
import { exampleFileOf, examplesEtag, examplesOf } from './structure';
import { StructureEditor } from './structureEditor';
import { etagOf, isKnownKey, readText, withText, type TextRef } from './texts';

export type Role = 'editor' | 'publisher';
export const ROLES: readonly Role[] = ['editor', 'publisher'];

export interface VersionInfo {
  version: number;
  author: string;
  time: string;
  /** The publisher's message; for a version the studio made itself, its words in English (the terminal's). */
  message: string;
  /** A version the studio made itself: what to call it, in the language of whoever reads the history. */
  says?: Said;
}

interface Draft {
  /** The version the draft started from. */
  base: number;
  files: Snapshot;
}

interface User {
  email: string;
  role: Role;
  password: string;
}

export interface Session {
  email: string;
  role: Role;
  csrfToken: string;
}

export type SaveResult =
  | { status: 'saved'; etag: string }
  | { status: 'conflict'; current: { text: string; etag: string }; yours: { text: string } }
  | { status: 'invalid'; problems: Problem[] }
  | { status: 'unknown' };

export type TeachResult =
  { status: 'taught' } | { status: 'unknown'; topics: string[] } | { status: 'invalid'; problems: Problem[] };

export type PublishResult = { status: 'published'; version: number } | { status: 'invalid'; problems: Problem[] };

export interface StudioOptions {
  store: StudioStore;
  /** The folder with dialogs/ and locales/ as deployed: version 1, and a new version whenever they change. */
  contentDir: string;
  checks: PublishChecks;
  logger: Logger;
  /** Puts a version's content live in this process (as a content reload does). */
  onLive: (content: Content, version: number) => void;
  /** How often this instance looks for a version published on another instance (only with a shared store). */
  pollMs?: number;
  /** Where preview conversations wait between turns: this process's memory unless given (Redis, shared). */
  previews?: PreviewStore;
  /** Encrypts a preview's secret answers between turns, as the bot's; a key of this process's own unless given. */
  seal?: SlotSeal;
}

/** A preview turn's answer: what the bot said, its buttons and the trace, or why the draft cannot answer. */
export type PreviewReply =
  | {
      messages: string[];
      buttons: Array<{ title: string }>;
      trace: TurnResult['trace'];
      said: string[];
      /** The question asked is private: its answer is shown back, and kept, masked this way. */
      answerMask?: 'partial' | 'full';
    }
  | { problems: Problem[] };

/** How long a studio session lasts. */
export const SESSION_SECONDS = 8 * 3600;
const FILES_AUTHOR = 'files';
/** Preview engines one process keeps at once. */
const PREVIEW_ENGINES = 100;

/** Adds a local account (or changes its role and password); the password is kept only as its scrypt hash. */
export async function saveUser(
  store: StudioStore,
  email: string,
  role: Role,
  password: string,
  actor: string,
): Promise<void> {
  const user: User = { email: email.trim().toLowerCase(), role, password: await hashPassword(password) };
  await store.set(`user:${user.email}`, JSON.stringify(user));
  await store.append(
    'audit',
    JSON.stringify({ time: new Date().toISOString(), actor, action: 'user', details: { email: user.email, role } }),
  );
}

/** The number of the published version in a store; undefined before the first start. */
export async function liveVersionOf(store: StudioStore): Promise<number | undefined> {
  return Number(await store.get('live')) || undefined;
}

/** Who published a version, when and why. */
export async function versionInfoOf(store: StudioStore, version: number): Promise<VersionInfo | undefined> {
  const text = await store.get(`version:${version}`);
  if (!text) return undefined;
  const info = JSON.parse(text) as VersionInfo;
  return info.says ? info : { ...info, ...saysOfEarlier(info) };
}

/** Versions the studio made before it kept their words named them in English only: known by those words. */
function saysOfEarlier({ author, message }: VersionInfo): { says: Said } | undefined {
  const restored = /^Restored version (\d+)$/.exec(message);
  if (restored) return { says: said('version.restored', { version: Number(restored[1]) }) };
  if (author !== FILES_AUTHOR) return undefined;
  if (message === 'The content in the files, at first start') return { says: said('version.firstFiles') };
  if (message === 'From files: a deploy changed the content files') return { says: said('version.fromFiles') };
  return undefined;
}

/** A version's content files, as it holds them. */
export async function versionFilesOf(store: StudioStore, version: number): Promise<Snapshot | undefined> {
  const text = await store.get(`version:${version}:files`);
  return text ? (JSON.parse(text) as Snapshot) : undefined;
}

const sessionKey = (id: string) => `session:${digestOf(id)}`;

/**
 * The content as versions: the deployed files are version 1, leads change a shared draft text by text, and
 * publishing turns the draft into the next version once every check passes. Every change is in the audit log.
 */
export class Studio {
  private liveVersion = 0;
  private poller: NodeJS.Timeout | undefined;
  private readonly checked = new Map<string, ReturnType<typeof checkSnapshot>>();
  /** The engines of the previews this process served last (the conversations wait in the preview store). */
  private readonly engines = new Map<string, { content: Content; engine: ConversationEngine }>();
  private readonly previews: PreviewStore;

  /** Steps, choices, questions, menu topics and their examples (structure.ts). */
  readonly structure: StructureEditor;

  private constructor(
    private readonly options: StudioOptions,
    private live: Content,
  ) {
    this.structure = new StructureEditor(this, options.checks.evalFile);
    this.previews = options.previews ?? new MemoryPreviewStore();
  }

  static async open(options: StudioOptions, filesContent: Content): Promise<Studio> {
    const studio = new Studio(options, filesContent);
    // The files were just loaded and checked: a version with the same files needs no second loading.
    studio.checked.set(hashOf(readSnapshot(options.contentDir)), {
      content: filesContent,
      problems: [...filesContent.warnings],
    });
    await studio.adoptFiles();
    await studio.goLive(Number(await options.store.get('live')));
    if (options.pollMs) studio.poll(options.pollMs);
    return studio;
  }

  get version(): number {
    return this.liveVersion;
  }

  get liveContent(): Content {
    return this.live;
  }

  close(): void {
    if (this.poller) clearInterval(this.poller);
  }

  /**
   * The files are version 1 at first start; a deploy whose files differ from the last ones seen becomes a new
   * version "from files" (files exported from the published version are that version, not a new one). The draft
   * is carried over text by text (see rebase); the deploy wins where both changed.
   */
  private async adoptFiles(): Promise<void> {
    const { store, contentDir } = this.options;
    const files = readSnapshot(contentDir);
    const hash = hashOf(files);
    await store.locked('draft', async () => {
      if ((await store.get('files:hash')) === hash) return;
      // Files exported from the published version (npm run content:export) and deployed: nothing new.
      const live = await liveVersionOf(store);
      const liveFiles = live ? await this.versionFiles(live) : undefined;
      if (live && liveFiles && hashOf(liveFiles) === hash) {
        await store.set('files:hash', hash);
        await this.audit(FILES_AUTHOR, 'files', { version: live, same: true });
        return;
      }
      const first = live === undefined;
      const version = await this.addVersion(files, {
        author: FILES_AUTHOR,
        says: said(first ? 'version.firstFiles' : 'version.fromFiles'),
      });
      const draft = await this.draft();
      const previous = draft ? await this.versionFiles(draft.base) : undefined;
      const kept = draft && previous ? rebase(previous, draft.files, files) : { files, overwritten: [] };
      await this.saveDraft({ base: version, files: kept.files });
      await store.set('files:hash', hash);
      await store.set('live', String(version));
      await this.audit(FILES_AUTHOR, 'files', { version, overwritten: kept.overwritten });
      if (kept.overwritten.length > 0)
        this.options.logger.warn(
          { version, texts: kept.overwritten },
          'studio: the deploy changed texts the draft had changed too; the deployed wording is kept',
        );
    });
  }

  private poll(ms: number): void {
    this.poller = setInterval(() => {
      void this.options.store.get('live').then(
        (live) => (Number(live) !== this.liveVersion ? this.goLive(Number(live)) : undefined),
        (error: Error) => this.options.logger.warn({ error: error.message }, 'studio: cannot read the live version'),
      );
    }, ms);
    this.poller.unref();
  }

  /** Loads a version and hands it to the bot; a version that no longer loads leaves the current content live. */
  private async goLive(version: number): Promise<void> {
    if (!version || version === this.liveVersion) return;
    const files = await this.versionFiles(version);
    const { content, problems } = files ? this.check(files) : { problems: [] };
    if (!content) {
      this.options.logger.error(
        { version, problems: contentProblems(problems).slice(0, 5) },
        'studio: the live version does not load; the content in the files stays live',
      );
      return;
    }
    this.liveVersion = version;
    this.live = content;
    this.options.onLive(content, version);
  }

  private check(files: Snapshot): ReturnType<typeof checkSnapshot> {
    const hash = hashOf(files);
    let result = this.checked.get(hash);
    if (!result) {
      result = checkSnapshot(files);
      this.checked.set(hash, result);
      if (this.checked.size > 4) this.checked.delete(this.checked.keys().next().value!);
    }
    return result;
  }

  // Versions

  private async addVersion(
    files: Snapshot,
    about: { author: string } & ({ message: string } | { says: Said }),
  ): Promise<number> {
    const version = await this.options.store.increment('versions');
    const message = 'message' in about ? about.message : this.inEnglish(about.says);
    const info: VersionInfo = {
      version,
      author: about.author,
      time: new Date().toISOString(),
      message,
      ...('says' in about ? { says: about.says } : {}),
    };
    await this.options.store.set(`version:${version}:files`, JSON.stringify(files));
    await this.options.store.set(`version:${version}`, JSON.stringify(info));
    return version;
  }

  /** The studio's words in English, from the content live here: a version's message for the terminal's tools. */
  private inEnglish(words: Said): string {
    const i18n = createTranslator(this.live);
    return sayIn((key, values) => i18n.t(key, { ...values, lng: DEFAULT_LANGUAGE }), words);
  }

  async versionFiles(version: number): Promise<Snapshot | undefined> {
    return versionFilesOf(this.options.store, version);
  }

  /** Every version, newest first. */
  async versions(): Promise<VersionInfo[]> {
    const count = Number((await this.options.store.get('versions')) ?? '0');
    const infos: VersionInfo[] = [];
    for (let version = count; version >= 1; version--) {
      const info = await versionInfoOf(this.options.store, version);
      if (info) infos.push(info);
    }
    return infos;
  }

  /** Publishes the draft when it passes every check; it is live here at once and on other instances soon after. */
  async publish(message: string, author: string): Promise<PublishResult> {
    const draft = await this.draft();
    if (!draft) return { status: 'invalid', problems: [problemSaying('draft', 'problem.noDraft')] };
    const { content, problems } = await checkForPublishing(draft.files, this.live, this.options.checks);
    if (!content) {
      await this.audit(author, 'publish refused', { problems: problems.length });
      return { status: 'invalid', problems };
    }
    const version = await this.options.store.locked('draft', async () => {
      const added = await this.addVersion(draft.files, { author, message });
      const now = (await this.draft()) ?? draft;
      await this.saveDraft({ base: added, files: now.files });
      await this.options.store.set('live', String(added));
      return added;
    });
    await this.audit(author, 'publish', { version, message });
    this.checked.set(hashOf(draft.files), { content, problems: [] });
    await this.goLive(version);
    return { status: 'published', version };
  }

  /** A version's content as a new version, live at once; nothing is rewritten. */
  async restore(version: number, author: string): Promise<PublishResult | undefined> {
    const files = await this.versionFiles(version);
    if (!files) return undefined;
    const { content, problems } = this.check(files);
    if (!content) return { status: 'invalid', problems: contentProblems(problems) };
    const restored = await this.options.store.locked('draft', async () => {
      const added = await this.addVersion(files, { author, says: said('version.restored', { version }) });
      await this.saveDraft({ base: added, files });
      await this.options.store.set('live', String(added));
      return added;
    });
    await this.audit(author, 'restore', { from: version, version: restored });
    await this.goLive(restored);
    return { status: 'published', version: restored };
  }

  // The draft

  private async draft(): Promise<Draft | undefined> {
    const text = await this.options.store.get('draft');
    return text ? (JSON.parse(text) as Draft) : undefined;
  }

  private async saveDraft(draft: Draft): Promise<void> {
    await this.options.store.set('draft', JSON.stringify(draft));
  }

  /**
   * Changes the draft's files under the draft's lock: `change` sees them and returns new files to keep (or none)
   * with its result; undefined when there is no draft.
   */
  async changeDraft<T>(change: (files: Snapshot) => Promise<{ files?: Snapshot; result: T }>): Promise<T | undefined> {
    return this.options.store.locked('draft', async () => {
      const draft = await this.draft();
      if (!draft) return undefined;
      const { files, result } = await change(draft.files);
      if (files) await this.saveDraft({ ...draft, files });
      return result;
    });
  }

  /** Every content check on some files (the same as content:check), remembered for the last few. */
  checkFiles(files: Snapshot): ReturnType<typeof checkSnapshot> {
    return this.check(files);
  }

  async draftFiles(): Promise<Snapshot> {
    return (await this.draft())?.files ?? {};
  }

  /** The draft's content as the bot would load it, or the problems that keep it from loading. */
  async draftContent(): Promise<ReturnType<typeof checkSnapshot>> {
    return this.check(await this.draftFiles());
  }

  async getText(ref: TextRef): Promise<{ text: string; etag: string } | undefined> {
    const files = await this.draftFiles();
    if (!isKnownKey(files, ref.key)) return undefined;
    const text = readText(files, ref);
    return { text: text ?? '', etag: etagOf(ref, text) };
  }

  /** What would be wrong if the text were saved: the problems the change itself brings, and none it did not. */
  async checkText(ref: TextRef, text: string, files?: Snapshot): Promise<Problem[]> {
    const before = files ?? (await this.draftFiles());
    const known = new Set(contentProblems(this.check(before).problems).map((each) => `${each.field}|${each.message}`));
    return contentProblems(this.check(withText(before, ref, text)).problems).filter(
      (problem) => !known.has(`${problem.field}|${problem.message}`),
    );
  }

  async putText(ref: TextRef, text: string, ifMatch: string, author: string): Promise<SaveResult> {
    return this.options.store.locked('draft', async () => {
      const draft = await this.draft();
      if (!draft || !isKnownKey(draft.files, ref.key)) return { status: 'unknown' as const };
      const current = readText(draft.files, ref);
      const etag = etagOf(ref, current);
      if (ifMatch !== etag)
        return { status: 'conflict' as const, current: { text: current ?? '', etag }, yours: { text } };
      const problems = await this.checkText(ref, text, draft.files);
      if (problems.length > 0) return { status: 'invalid' as const, problems };
      await this.saveDraft({ ...draft, files: withText(draft.files, ref, text) });
      await this.audit(author, 'edit text', { language: ref.language, key: ref.key, before: current, after: text });
      return { status: 'saved' as const, etag: etagOf(ref, text) };
    });
  }

  /** The topics a message can be taught to in a language: the example sections of its understanding file. */
  async topicsOf(language: Language): Promise<string[]> {
    const text = (await this.draftFiles())[exampleFileOf(language)];
    const topics = text === undefined ? undefined : parseDocument(text).get('topics');
    return isMap(topics)
      ? topics.items.map((item) => String((item.key as { value?: unknown })?.value ?? item.key))
      : [];
  }

  /**
   * Adds a message as an example of a topic in the draft (the inbox's Teach), as a structure change of that topic's
   * examples: refused when it brings a problem (an example that echoes another topic's). Publishing makes it live.
   */
  async teach(language: Language, topic: string, example: string, author: string): Promise<TeachResult> {
    const topics = await this.topicsOf(language);
    if (!topics.includes(topic)) return { status: 'unknown', topics };
    for (let attempt = 0; attempt < 3; attempt++) {
      const files = await this.draftFiles();
      const examples = [...examplesOf(files, language, topic), example];
      const result = await this.structure.change(
        [{ op: 'setExamples', language, topic, examples }],
        { of: 'examples', language, topic, etag: examplesEtag(files, language, topic) },
        { actor: author, action: 'teach', details: { language, topic } },
        false,
      );
      // Someone changed the topic's examples meanwhile: add to theirs.
      if (result.status === 'conflict') continue;
      if (result.status === 'invalid') return { status: 'invalid', problems: result.problems };
      return result.status === 'saved' ? { status: 'taught' } : { status: 'unknown', topics };
    }
    return {
      status: 'invalid',
      problems: [problemSaying(`examples.${language}.topics.${topic}`, 'problem.busy')],
    };
  }

  /** What the draft's model makes of a message: the language, and the topics it ranks first with how sure it is. */
  async tryMessage(
    text: string,
  ): Promise<
    | { language: { language: string; p: number }; intents: Array<{ intent: string; p: number }> }
    | { problems: Problem[] }
  > {
    const { content, problems } = await this.draftContent();
    if (!content) return { problems: contentProblems(problems) };
    const model = languageModelOf(content);
    const language = model.detectLanguage(text);
    const intents = model
      .rankIntents(text)
      .slice(0, 3)
      .map((ranked) => ({ intent: ranked.label, p: Math.round(ranked.p * 1000) / 1000 }));
    return { language: { language: language.language, p: Math.round(language.p * 1000) / 1000 }, intents };
  }

  /** Opens a preview conversation for a studio session: only that session drives it, in `language`. */
  async openPreview(id: string, sessionId: string, language: Language, pageLanguage: Language): Promise<void> {
    await this.previews.set(id, { owner: digestOf(sessionId), language, pageLanguage });
  }

  /** The preview conversation, when it is open and `sessionId` is the signed-in session that opened it. */
  async previewOf(id: string, sessionId: string | undefined): Promise<KeptPreview | undefined> {
    if (!sessionId) return undefined;
    const [kept, session] = await Promise.all([this.previews.get(id), this.session(sessionId)]);
    return kept && session && kept.owner === digestOf(sessionId) ? kept : undefined;
  }

  /** One turn of the session's own preview conversation (`POST /studio/api/preview`), in `language`. */
  async preview(
    sessionId: string,
    request: { language: Language; text?: string; restart?: boolean },
  ): Promise<PreviewReply> {
    const opening = { owner: digestOf(sessionId), language: request.language, pageLanguage: request.language };
    return (await this.previewTurn(sessionId, request, opening))!.reply;
  }

  /**
   * One turn of a preview conversation with the draft as stored, with the trace; undefined when the preview is not
   * open (nor `opening` given). It talks to the demo accounts, never to the real account service. The conversation
   * waits in the preview store between turns, so any instance takes the next one; its turns never overlap.
   */
  async previewTurn(
    id: string,
    request: { language?: Language; text?: string; restart?: boolean },
    opening?: KeptPreview,
  ): Promise<{ kept: KeptPreview; reply: PreviewReply } | undefined> {
    return this.previews.locked(id, async () => {
      const kept = (await this.previews.get(id)) ?? opening;
      if (!kept) return undefined;
      const { content, problems } = await this.draftContent();
      if (!content) return { kept, reply: { problems: contentProblems(problems) } };
      const language = request.language ?? kept.language;
      const conversation = request.restart ? new Conversation() : new Conversation(kept.dialog, kept.chosenLanguage);
      const engine = this.previewEngine(id, content, request.restart === true);
      const result = await conversation.turn(engine, {
        channelLocale: language,
        ...(request.text !== undefined ? { message: { text: request.text } } : {}),
        // Its secret answers are sealed to this preview: another preview's could not be opened with them.
        turnId: turnIdOf(`studio-preview-${digestOf(id)}`, randomBytes(6).toString('hex')),
      });
      const answerMask = engine.answerMask(result.trace.expecting);
      const { dialog: _before, chosenLanguage: _chosen, ...about } = kept;
      const now: KeptPreview = {
        ...about,
        language,
        dialog: result.stored,
        ...(conversation.preferredLanguage ? { chosenLanguage: conversation.preferredLanguage } : {}),
      };
      await this.previews.set(id, now);
      return {
        kept: now,
        reply: {
          messages: result.messages,
          said: result.said,
          buttons: result.buttons.map((button) => ({ title: button.title })),
          trace: result.trace,
          ...(answerMask ? { answerMask } : {}),
        },
      };
    });
  }

  /**
   * The engine of a preview in this process, with demo accounts of its own; a new one for new content or a restart.
   * Another instance taking a turn makes its own: only the demo accounts' counters are not shared.
   */
  private previewEngine(id: string, content: Content, restart: boolean): ConversationEngine {
    const known = this.engines.get(id);
    if (known && known.content === content && !restart) return known.engine;
    const i18n = createTranslator(content);
    const accountService = inMemoryAccounts(loadAccounts(this.options.checks.accountsFile));
    const engine = new ConversationEngine({
      content,
      i18n,
      accountService,
      ...(this.options.seal ? { seal: this.options.seal } : {}),
    });
    this.engines.delete(id);
    this.engines.set(id, { content, engine });
    if (this.engines.size > PREVIEW_ENGINES) this.engines.delete(this.engines.keys().next().value!);
    return engine;
  }

  // Users, sessions, audit

  async addUser(email: string, role: Role, password: string, actor: string): Promise<void> {
    await saveUser(this.options.store, email, role, password, actor);
  }

  /** A new session for the right password; undefined otherwise (as slow for an unknown address). */
  async signIn(email: string, password: string): Promise<{ id: string; session: Session } | undefined> {
    const text = await this.options.store.get(`user:${email.toLowerCase()}`);
    const user = text ? (JSON.parse(text) as User) : undefined;
    const right = await verifyPassword(password, user?.password ?? (await decoyHash()));
    if (!user || !right) {
      await this.audit(email.toLowerCase(), 'sign-in refused', {});
      return undefined;
    }
    return this.openSession(user.email, user.role, {});
  }

  /** A new session for someone whose identity is proven (a password, or an OpenID provider's ID token). */
  async openSession(
    email: string,
    role: Role,
    details: Record<string, unknown>,
  ): Promise<{ id: string; session: Session }> {
    const id = randomBytes(32).toString('base64url');
    const session: Session = { email, role, csrfToken: randomBytes(24).toString('base64url') };
    await this.options.store.set(sessionKey(id), JSON.stringify(session), SESSION_SECONDS);
    await this.audit(email, 'sign-in', details);
    return { id, session };
  }

  async session(id: string): Promise<Session | undefined> {
    const text = await this.options.store.get(sessionKey(id));
    return text ? (JSON.parse(text) as Session) : undefined;
  }

  async signOut(id: string): Promise<void> {
    await this.options.store.delete(sessionKey(id));
  }

  async audit(actor: string, action: string, details: Record<string, unknown>): Promise<void> {
    await this.options.store.append(
      'audit',
      JSON.stringify({ time: new Date().toISOString(), actor, action, details }),
    );
  }

  async auditLog(): Promise<unknown[]> {
    return (await this.options.store.lines('audit')).map((line) => JSON.parse(line) as unknown);
  }
}
