import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Failure messages and stack traces travel as an encoded payload (`encodedAttributes`), so the
 * payload codec encrypts them like any other payload: a vendor's error text often quotes the value
 * it rejected. Loaded by path (see data-converter.ts), as workflow bundles need it.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
