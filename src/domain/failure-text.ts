/**
 * The innermost message of an error chain: a workflow's or vendor's own words, not those of the
 * wrappers around them (ChildWorkflowFailure, ActivityFailure, WorkflowUpdateFailedError).
 */
export function innermostMessage(error: unknown): string {
  let message = String(error);
  let current = error as { message?: unknown; cause?: unknown } | undefined;
  while (typeof current === 'object' && current !== null) {
    if (typeof current.message === 'string' && current.message) message = current.message;
    current = current.cause as typeof current;
  }
  return message;
}
