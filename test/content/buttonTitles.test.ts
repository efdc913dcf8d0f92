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

  /** Every button of the dialog leading to `target`, with the step it is on. */
  function buttonsTo(target: string): Array<{ step: string; label: string }> {
    return Object.entries(content().dialog.nodes).flatMap(([step, node]) =>
      isFormNode(node)
        ? []
        : node.choices.filter((choice) => choice.goto === target).map((choice) => ({ step, label: choice.label })),
    );
  }

  function tooLong(labels: ReadonlyArray<{ step: string; label: string }>): string[] {
    const i18n = createTranslator(content());
    return LANGUAGES.flatMap((language) =>
      labels
        .map(({ step, label }) => ({ step, title: i18n.getFixedT(language)(label) }))
        .filter(({ title }) => title.length > FITS_A_PHONE_CARD)
        .map(({ step, title }) => `${language} ${step}: ${title} (${title.length})`),
    );
  }

  it("every way to the exam centre's contact details and to a new password fits, in every language", () => {
    const labels = [...buttonsTo('findCentre'), ...buttonsTo('forgotPassword')];
    expect(labels.length).toBeGreaterThan(4);
    expect(tooLong(labels)).toEqual([]);
  });

  it('the "my centre does not answer" way out of the person and centre steps fits, in every language', () => {
    const labels = buttonsTo('centreClosed').filter(({ step }) => ['person', 'findCentre'].includes(step));
    expect(labels.length).toBeGreaterThan(1);
    expect(tooLong(labels)).toEqual([]);
  });

  it('the name a step has on a "did you mean" button fits, in every language', () => {
    const titled = Object.entries(content().dialog.nodes).flatMap(([step, node]) =>
      !isFormNode(node) && node.title ? [{ step, label: node.title }] : [],
    );
    expect(titled.length).toBeGreaterThan(0);
    expect(tooLong(titled)).toEqual([]);
  });
});
