import type { AwaitedEvent } from '../contract';

/**
 * A product's stages (issue #13), as its record workflow shows them in RecordSyncOutcome: upserted
 * into the PIM and waiting for a person to publish it there, published (the storefront stage
 * runs), live in the storefront. Failures show the problem-record states instead.
 */
export const PIM_UPSERTED = 'PIM_UPSERTED';
export const PUBLISHED = 'PUBLISHED';
export const LIVE = 'LIVE';

/** The event the product waits for, as `receiveWebhook` names it. */
export const PUBLISHED_EVENT = 'published';

/**
 * What a product's load answers after the PIM upsert; `happened` when the PIM already holds the
 * product published (an update of a live product, or a replay): its workflow goes straight on.
 */
export function awaitingPublication(happened?: unknown): AwaitedEvent {
  return {
    waiting: PIM_UPSERTED,
    event: PUBLISHED_EVENT,
    continuing: PUBLISHED,
    done: LIVE,
    ...(happened === undefined ? {} : { happened }),
  };
}
