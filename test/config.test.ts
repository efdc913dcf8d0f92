import { describeConfig, loadConfig, PROJECT_ROOT } from '../src/config';
import path from 'node:path';

describe('configuration', () => {
  it('runs with nothing set: port 3978, the shipped content and demo accounts, anonymous', () => {
    const config = loadConfig({});
    expect(config).toEqual({
      port: 3978,
      bot: { appType: 'MultiTenant' },
      contentDir: PROJECT_ROOT,
      accountsFile: path.join(PROJECT_ROOT, 'demo', 'accounts.json'),
      dataDir: path.join(PROJECT_ROOT, 'data'),
      logLevel: 'info',
      watchContent: false,
      conversationTtlSeconds: 86400,
      userTtlSeconds: 7776000,
      webChat: {
        directLineDomain: 'https://directline.botframework.com/v3/directline',
        tokenBurst: 60,
        tokensPerMinute: 20,
        postsPerMinute: 30,
        transcriptBytes: 262144,
        conversationMaxSeconds: 86400,
        trustProxy: false,
        frameAncestors: "'self'",
      },
    });
  });

  it('takes the web chat settings, and names a wrong one', () => {
    const config = loadConfig({
      DIRECT_LINE_SECRET: ' s3cret ',
      DIRECT_LINE_DOMAIN: 'https://europe.directline.botframework.com/v3/directline/',
      WEB_CHAT_FRAME_ANCESTORS: 'https://support.example.org',
    });
    expect(config.webChat).toMatchObject({
      directLineSecret: 's3cret',
      directLineDomain: 'https://europe.directline.botframework.com/v3/directline',
      frameAncestors: 'https://support.example.org',
    });
    expect(describeConfig(config).DIRECT_LINE_SECRET).not.toContain('s3cret');
    expect(() => loadConfig({ WEB_CHAT_FRAME_ANCESTORS: "'self'; script-src *" })).toThrow(
      /WEB_CHAT_FRAME_ANCESTORS: space-separated origins/,
    );
    expect(() => loadConfig({ TOKENS_PER_MINUTE: '0' })).toThrow(/TOKENS_PER_MINUTE/);
  });

  it('names every variable that is wrong', () => {
    expect(() => loadConfig({ PORT: '99999', MicrosoftAppType: 'Everyone' })).toThrow(/PORT:[\s\S]*MicrosoftAppType:/);
    expect(() => loadConfig({ MicrosoftAppId: 'app' })).toThrow(
      'MicrosoftAppPassword: required when MicrosoftAppId is set',
    );
    expect(() =>
      loadConfig({ MicrosoftAppId: 'app', MicrosoftAppPassword: 'p', MicrosoftAppType: 'SingleTenant' }),
    ).toThrow('MicrosoftAppTenantId: required when MicrosoftAppType is SingleTenant');
  });

  it('refuses to run anonymously in production unless told to', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow('MicrosoftAppId: required when NODE_ENV=production');
    expect(loadConfig({ NODE_ENV: 'production', ALLOW_ANONYMOUS: 'true' }).bot.appId).toBeUndefined();
    for (const spelling of ['Production', 'PRODUCTION', ' production '])
      expect(() => loadConfig({ NODE_ENV: spelling })).toThrow('MicrosoftAppId: required when NODE_ENV=production');
    expect(() => loadConfig({ SERVICE_URL_ALLOWLIST: 'ftp://files.example.org/' })).toThrow('SERVICE_URL_ALLOWLIST');
    expect(
      loadConfig({ NODE_ENV: 'production', MicrosoftAppId: 'app', MicrosoftAppPassword: 'secret' }).bot.appId,
    ).toBe('app');
  });

  it('needs the keys every instance must share in production with Redis: tokens, secret answers at rest', () => {
    const keys = { DIRECT_LINE_TOKEN_KEY: 'k'.repeat(32), STATE_ENCRYPTION_KEY: 's'.repeat(32) };
    const production = { MicrosoftAppId: 'app', MicrosoftAppPassword: 'secret', REDIS_URL: 'redis://127.0.0.1:6379' };
    for (const variable of Object.keys(keys))
      for (const NODE_ENV of ['production', 'Production', 'PRODUCTION'])
        expect(() => loadConfig({ ...production, ...keys, [variable]: '', NODE_ENV })).toThrow(
          `${variable}: required when NODE_ENV=production and Redis is set`,
        );
    const config = loadConfig({ ...production, ...keys, NODE_ENV: 'production' });
    expect([config.webChat.tokenKey, config.stateKey]).toEqual([keys.DIRECT_LINE_TOKEN_KEY, keys.STATE_ENCRYPTION_KEY]);
    expect(describeConfig(config).STATE_ENCRYPTION_KEY).toBe('[set]');
    expect(() => loadConfig({ STATE_ENCRYPTION_KEY: 'short' })).toThrow('STATE_ENCRYPTION_KEY: at least 32 characters');
    // Not needed where tokens come from Azure's Direct Line service (the token key), without Redis (one process,
    // its own random keys), or outside production.
    const { DIRECT_LINE_TOKEN_KEY: _tokenKey, ...stateKey } = keys;
    expect(() =>
      loadConfig({ ...production, ...stateKey, NODE_ENV: 'production', DIRECT_LINE_SECRET: 'dl' }),
    ).not.toThrow();
    expect(() => loadConfig({ ...production, NODE_ENV: 'production', REDIS_URL: '' })).not.toThrow();
    expect(() => loadConfig(production)).not.toThrow();
  });

  it('takes the local Direct Line limits, and names a wrong one', () => {
    expect(
      loadConfig({
        DIRECT_LINE_POSTS_PER_MINUTE: '12',
        DIRECT_LINE_TRANSCRIPT_BYTES: '100000',
        DIRECT_LINE_CONVERSATION_MAX_SECONDS: '7200',
      }).webChat,
    ).toMatchObject({ postsPerMinute: 12, transcriptBytes: 100000, conversationMaxSeconds: 7200 });
    expect(() => loadConfig({ DIRECT_LINE_POSTS_PER_MINUTE: '0' })).toThrow(/DIRECT_LINE_POSTS_PER_MINUTE/);
    expect(() => loadConfig({ DIRECT_LINE_TRANSCRIPT_BYTES: '1000' })).toThrow(/DIRECT_LINE_TRANSCRIPT_BYTES/);
  });

  it('needs a token with a separately run account service', () => {
    expect(() => loadConfig({ ACCOUNT_SERVICE_URL: 'http://127.0.0.1:3979' })).toThrow(
      'ACCOUNT_SERVICE_TOKEN: required',
    );
    expect(() => loadConfig({ ACCOUNT_SERVICE_URL: 'not a url', ACCOUNT_SERVICE_TOKEN: 'x'.repeat(20) })).toThrow(
      'ACCOUNT_SERVICE_URL',
    );
    expect(
      loadConfig({ ACCOUNT_SERVICE_URL: 'http://127.0.0.1:3979', ACCOUNT_SERVICE_TOKEN: 'x'.repeat(20) })
        .accountService,
    ).toEqual({
      url: 'http://127.0.0.1:3979',
      token: 'x'.repeat(20),
    });
  });

  it('describes itself without the password', () => {
    const env = {
      MicrosoftAppId: 'app-id',
      MicrosoftAppPassword: 'very-secret-value',
      PORT: '4000',
      ACCOUNT_SERVICE_URL: 'http://127.0.0.1:3979',
      ACCOUNT_SERVICE_TOKEN: 'service-token-secret-value',
      REDIS_URL: 'redis://:redis-password-value@127.0.0.1:6379',
    };
    const described = JSON.stringify(describeConfig(loadConfig(env), env));
    for (const secret of ['very-secret-value', 'service-token-secret-value', 'redis-password-value'])
      expect(described).not.toContain(secret);
    expect(described).toContain('"MicrosoftAppPassword":"[set]"');
    expect(described).toContain('"PORT":"4000 (environment)"');
  });

  describe('signing in to the studio with OpenID Connect', () => {
    const entra = {
      STUDIO: 'on',
      STUDIO_OIDC_ISSUER: 'https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0',
      STUDIO_OIDC_CLIENT_ID: 'studio-client-id',
      STUDIO_OIDC_CLIENT_SECRET: 'oidc-client-secret-value',
      STUDIO_OIDC_REDIRECT_URL: 'https://helpdesk.example.org/studio/auth/oidc/callback',
    };

    it('is off without its variables, and takes Entra ID app roles by default', () => {
      expect(loadConfig({ STUDIO: 'on' }).studio?.oidc).toBeUndefined();
      expect(loadConfig(entra).studio?.oidc).toEqual({
        issuer: entra.STUDIO_OIDC_ISSUER,
        clientId: 'studio-client-id',
        clientSecret: 'oidc-client-secret-value',
        redirectUrl: entra.STUDIO_OIDC_REDIRECT_URL,
        name: 'Microsoft',
        roleClaim: 'roles',
        editorRole: 'studio.editor',
        publisherRole: 'studio.publisher',
      });
      const groups = loadConfig({
        ...entra,
        STUDIO_OIDC_NAME: 'Contoso',
        STUDIO_OIDC_ROLE_CLAIM: 'groups',
        STUDIO_OIDC_EDITOR_ROLE: 'group-a',
        STUDIO_OIDC_PUBLISHER_ROLE: 'group-b',
      }).studio?.oidc;
      expect(groups).toMatchObject({
        name: 'Contoso',
        roleClaim: 'groups',
        editorRole: 'group-a',
        publisherRole: 'group-b',
      });
    });

    it('names every missing or wrong variable', () => {
      expect(() => loadConfig({ STUDIO: 'on', STUDIO_OIDC_CLIENT_ID: 'id' })).toThrow(
        /STUDIO_OIDC_ISSUER: required[\s\S]*STUDIO_OIDC_CLIENT_SECRET: required[\s\S]*STUDIO_OIDC_REDIRECT_URL: required/,
      );
      expect(() => loadConfig({ ...entra, STUDIO_OIDC_ISSUER: 'http://login.example.org/v2.0' })).toThrow(
        /STUDIO_OIDC_ISSUER: must be an https URL/,
      );
      expect(() =>
        loadConfig({ ...entra, STUDIO_OIDC_REDIRECT_URL: 'https://helpdesk.example.org/studio/callback' }),
      ).toThrow(/STUDIO_OIDC_REDIRECT_URL: must end in \/studio\/auth\/oidc\/callback/);
      expect(() => loadConfig({ ...entra, STUDIO_OIDC_ISSUER: 'not a url' })).toThrow(/STUDIO_OIDC_ISSUER/);
      // A provider on this machine (a test or a local one) may use plain HTTP.
      expect(
        loadConfig({
          ...entra,
          STUDIO_OIDC_ISSUER: 'http://127.0.0.1:4000',
          STUDIO_OIDC_REDIRECT_URL: 'http://localhost:3978/studio/auth/oidc/callback',
        }).studio?.oidc?.issuer,
      ).toBe('http://127.0.0.1:4000');
    });

    it('describes itself without the client secret', () => {
      const described = JSON.stringify(describeConfig(loadConfig(entra), entra));
      expect(described).not.toContain('oidc-client-secret-value');
      expect(described).toContain('studio-client-id');
      expect(described).toContain('secret [set]');
    });
  });
});
