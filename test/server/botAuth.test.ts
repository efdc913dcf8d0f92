import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { activity } from '../support/activities';
import { BotProcess } from '../support/botProcess';

const APP_ID = '00000000-0000-0000-0000-000000000001';
/** A claim value that must never come back to the caller. */
const CLAIM_CANARY = 'claim-canary-7f3a';

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: 'https://api.botframework.com',
    aud: APP_ID,
    nbf: now - 60,
    exp: now + 3600,
    serviceurl: `https://${CLAIM_CANARY}.example.org/`,
    sub: CLAIM_CANARY,
    ...overrides,
  };
}

function rs256(payload: Record<string, unknown>): string {
  const head = `${encode({ alg: 'RS256', typ: 'JWT', kid: `kid-${CLAIM_CANARY}` })}.${encode(payload)}`;
  return `${head}.${sign('sha256', Buffer.from(head), privateKey).toString('base64url')}`;
}

function hs256(payload: Record<string, unknown>): string {
  const head = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(payload)}`;
  return `${head}.${createHmac('sha256', 'not-a-real-secret').update(head).digest('base64url')}`;
}

function tampered(token: string): string {
  const [head, payload, signature] = token.split('.');
  const flipped = signature!.startsWith('A') ? `B${signature!.slice(1)}` : `A${signature!.slice(1)}`;
  return `${head}.${payload}.${flipped}`;
}

const tokens: Array<[string, string]> = [
  ['alg none', `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims())}.`],
  ['HS256 signed with the app password', hs256(claims())],
  ['RS256 from an unknown key', rs256(claims())],
  ['a tampered signature', tampered(rs256(claims()))],
  ['nbf in the future', rs256(claims({ nbf: Math.floor(Date.now() / 1000) + 3600 }))],
  ['the wrong audience', rs256(claims({ aud: `other-${CLAIM_CANARY}` }))],
  ['the emulator issuer', rs256(claims({ iss: 'https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/' }))],
  ['not a JWT at all', 'not.a.jwt'],
];

describe('Bot Framework authentication refusals (MicrosoftAppId set)', () => {
  let bot: BotProcess;
  let stderr = '';
  beforeAll(async () => {
    bot = await BotProcess.start({ MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'not-a-real-secret' });
    bot.child.stderr!.on('data', (chunk) => (stderr += chunk));
  }, 30_000);
  afterAll(async () => bot.stop());

  it.each(tokens)('%s: 401 with a generic body, one JSON log line, nothing on stderr', async (_name, token) => {
    const logged = bot.output.length;
    stderr = '';
    const response = await fetch(`${bot.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(activity('auth', { text: 'hi' })),
    });
    const body = await response.text();
    expect(response.status).toBe(401);
    expect(JSON.parse(body)).toEqual({ error: 'unauthorized', message: expect.any(String) });
    expect(body).not.toContain(CLAIM_CANARY);
    expect(body).not.toContain(APP_ID);
    // The log line is written before the answer; give the pipe a moment to carry it.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const lines = bot.output.slice(logged).split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({ msg: 'activity refused: not authenticated' });
    expect(lines[0]).not.toContain(token);
    expect(stderr).toBe('');
  });

  it('gives the same body to every refusal, so none tells why', async () => {
    const bodies = new Set<string>();
    for (const [, token] of tokens) {
      const response = await fetch(`${bot.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(activity('auth-same', { text: 'hi' })),
      });
      bodies.add(await response.text());
    }
    const missing = await fetch(`${bot.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(activity('auth-none', { text: 'hi' })),
    });
    expect(missing.status).toBe(401);
    bodies.add(await missing.text());
    expect(bodies.size).toBe(1);
  });
});
