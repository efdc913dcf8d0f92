import { isFormNode } from '../../src/content/dialogSchema';
import { createTranslator } from '../../src/content/i18n';
import { LANGUAGES } from '../../src/dialog/languages';
import { content } from '../support/helpers';

/** What a stacked button shows in full on a 360 px Teams card before it is cut with "…". */
const FITS_A_PHONE_CARD = 32;

describe('button titles on a phone-sized Teams card', () => {
  it('the "forgotten password" way out of the login-details and lockout steps fits, in every language', () => {
    const { dialog } = content();
    const i18n = createTranslator(content());
    const labels = ['credentials', 'lockout'].flatMap((id) => {
      const node = dialog.nodes[id]!;
      return isFormNode(node) ? [] : node.choices.filter((c) => c.goto === 'forgotPassword').map((c) => c.label);
    });
    expect(labels.length).toBeGreaterThan(0);
    const tooLong = LANGUAGES.flatMap((language) =>
      labels
        .map((label) => i18n.getFixedT(language)(label))
        .filter((title) => title.length > FITS_A_PHONE_CARD)
        .map((title) => `${language}: ${title} (${title.length})`),
    );
    expect(tooLong).toEqual([]);
  });
});
