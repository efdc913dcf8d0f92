import { SlotSeal } from '../../src/conversation/sealedSlots';

describe('secret answers sealed between turns', () => {
  const seal = new SlotSeal('a'.repeat(32));
  const sealed = seal.seal({ secretNumber: '8482' }, 'conversation-1');

  it('keep no trace of the answer and open only with the key, in the conversation they were sealed for', () => {
    expect(JSON.stringify(sealed)).not.toContain('8482');
    expect(sealed.slots).toEqual(['secretNumber']);
    expect(new SlotSeal('a'.repeat(32)).unseal(sealed, 'conversation-1')).toEqual({ secretNumber: '8482' });
    expect(seal.unseal(sealed, 'conversation-2')).toBeUndefined();
    expect(new SlotSeal('b'.repeat(32)).unseal(sealed, 'conversation-1')).toBeUndefined();
    expect(new SlotSeal().unseal(sealed, 'conversation-1')).toBeUndefined();
  });

  it('refuse a changed box, a cut authentication tag and junk instead of throwing', () => {
    const [version, iv, encrypted, tag] = sealed.box.split('.') as [string, string, string, string];
    const flipped = Buffer.from(encrypted, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    const boxes = [
      [version, iv, flipped.toString('base64url'), tag].join('.'),
      [version, iv, encrypted, Buffer.from(tag, 'base64url').subarray(0, 4).toString('base64url')].join('.'),
      'v1.junk',
      '',
    ];
    for (const box of boxes) expect(seal.unseal({ ...sealed, box }, 'conversation-1')).toBeUndefined();
  });
});
