/** An activity of the preview's Direct Line, as much of it as the tests read. */
export interface PreviewActivity {
  type: string;
  name?: string;
  text?: string;
  from?: { role?: string };
  value?: { topic: string; state: string; said: string[] };
}

/** What `POST /studio/api/preview/conversations` gives: the conversation, its token and the endpoint's path. */
export interface PreviewGrant {
  conversationId: string;
  token: string;
  domain: string;
}

/**
 * A preview conversation over plain Direct Line 3.0 HTTP, as any Direct Line client speaks it, with the studio
 * session's cookie a browser sends along. Each call names the instance it goes to, so one conversation can be
 * driven through one instance and read through another.
 */
export class PreviewConversation {
  private watermark: string | undefined;

  constructor(
    private readonly grant: PreviewGrant,
    private readonly cookie: string,
  ) {}

  call(
    instance: string,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    return fetch(`${instance}${this.grant.domain}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.grant.token}`,
        ...(this.cookie ? { cookie: this.cookie } : {}),
        'content-type': 'application/json',
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }

  async start(instance: string): Promise<number> {
    return (await this.call(instance, 'POST', '/conversations')).status;
  }

  /** Posts an activity; the answer comes once the turn is over. */
  post(instance: string, activity: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Response> {
    return this.call(
      instance,
      'POST',
      `/conversations/${this.grant.conversationId}/activities`,
      { from: { id: 'lead' }, ...activity },
      headers,
    );
  }

  /** What the bot said since the last read. */
  async read(instance: string): Promise<PreviewActivity[]> {
    const query = this.watermark ? `?watermark=${this.watermark}` : '';
    const response = await this.call(instance, 'GET', `/conversations/${this.grant.conversationId}/activities${query}`);
    if (response.status !== 200) throw new Error(`reading the preview: ${response.status}`);
    const set = (await response.json()) as { activities: PreviewActivity[]; watermark: string };
    this.watermark = set.watermark;
    return set.activities.filter((each) => each.from?.role === 'bot');
  }

  /** Everything the conversation holds from its beginning, what was posted to it too. */
  async transcript(instance: string): Promise<PreviewActivity[]> {
    const response = await this.call(instance, 'GET', `/conversations/${this.grant.conversationId}/activities`);
    if (response.status !== 200) throw new Error(`reading the preview: ${response.status}`);
    return ((await response.json()) as { activities: PreviewActivity[] }).activities;
  }

  /** Posts an activity through one instance and reads what came after it, through the same or another. */
  async send(
    activity: Record<string, unknown>,
    through: string,
    readFrom: string = through,
  ): Promise<PreviewActivity[]> {
    const posted = await this.post(through, activity);
    if (posted.status !== 200) throw new Error(`posting to the preview: ${posted.status}`);
    return this.read(readFrom);
  }
}

/** The dialog-state trace among a turn's activities. */
export function traceOf(activities: PreviewActivity[]): NonNullable<PreviewActivity['value']> {
  const trace = activities.find((each) => each.type === 'trace' && each.name === 'helpdesk.state');
  if (!trace?.value) throw new Error(`no trace among ${activities.map((each) => each.type).join(', ')}`);
  return trace.value;
}
