/**
 * The channel refused the notice for a reason no retry fixes (a 4xx, a login or address the mail
 * server refuses): its settings are wrong. The message names the channel and the variables to check.
 */
export class ChannelRefusedError extends Error {
  override readonly name = 'ChannelRefusedError';
}

/** The channel could not take the notice now (network, 5xx, 408, 429): retried. */
export class ChannelUnavailableError extends Error {
  override readonly name = 'ChannelUnavailableError';
  constructor(
    message: string,
    /** The wait the receiver asked for (Retry-After). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}
