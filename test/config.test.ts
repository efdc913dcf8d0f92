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
      logLevel: 'info',
      watchContent: false,
    });
  });

  it('names every variable that is wrong', () => {
    expect(() => loadConfig({ PORT: '99999', MicrosoftAppType: 'Everyone' })).toThrow(/PORT:[\s\S]*MicrosoftAppType:/);
    expect(() => loadConfig({ MicrosoftAppId: 'app' })).toThrow('MicrosoftAppPassword: required when MicrosoftAppId is set');
    expect(() => loadConfig({ MicrosoftAppId: 'app', MicrosoftAppPassword: 'p', MicrosoftAppType: 'SingleTenant' })).toThrow(
      'MicrosoftAppTenantId: required when MicrosoftAppType is SingleTenant',
    );
  });

  it('describes itself without the password', () => {
    const env = { MicrosoftAppId: 'app-id', MicrosoftAppPassword: 'very-secret-value', PORT: '4000' };
    const described = JSON.stringify(describeConfig(loadConfig(env), env));
    expect(described).not.toContain('very-secret-value');
    expect(described).toContain('"MicrosoftAppPassword":"[set]"');
    expect(described).toContain('"PORT":"4000 (environment)"');
  });
});
