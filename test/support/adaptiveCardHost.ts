import type * as AdaptiveCards from 'adaptivecards';
// The package's ES module build does not load in Node; its UMD bundle does, with the same API.
import * as AC from 'adaptivecards/dist/adaptivecards.js';

export { AC };

/**
 * What a host that renders Adaptive Cards only up to `version` (Teams on phones: 1.2) makes of a card: the
 * warnings of reading it as that version, the failures of checking it, and whether it would show the fallback
 * text instead of the card.
 */
export function readAsHost(json: unknown, version: AdaptiveCards.Version = AC.Versions.v1_2) {
  const card = new AC.AdaptiveCard();
  card.maxVersion = version;
  const context = new AC.SerializationContext(version);
  card.parse(json, context);
  const warnings = Array.from({ length: context.eventCount }, (_, index) => context.getEventAt(index).message);
  const validation = card.validateProperties();
  const failures = validation.validationEvents.map((event) => event.message);
  return { card, warnings, failures, fallsBack: card.shouldFallback() };
}
