import { groupIdOf, scrub } from '../../src/insights/scrub';

describe('what the inbox may keep of a message', () => {
  it.each([
    ['my id is SIR094701 and the secret 8482', 'my id is and the secret'],
    ['write to ana.garcia@example.org please', 'write to please'],
    ['see https://candidates.example.org/login?x=1 and www.example.org/a', 'see and'],
    ['call +34 612 345 678 today', 'call today'],
    ['results on 14/06/2025?', 'results on'],
  ])('%s → %s', (message, kept) => {
    expect(scrub(message)).toBe(kept);
  });

  it('keeps nothing when only numbers and addresses were written', () => {
    expect(scrub('8482 SIR094701 ana@example.org https://example.org')).toBeUndefined();
  });

  it('groups messages written alike in one language, and apart in two', () => {
    expect(groupIdOf('en', 'Where are MY results?')).toBe(groupIdOf('en', 'where are my results'));
    expect(groupIdOf('en', 'where are my results')).not.toBe(groupIdOf('de', 'where are my results'));
  });
});
