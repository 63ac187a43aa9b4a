/** Patch ids: each guards a change to workflows that may be running (see the README's upgrade notes). */
export const PROBLEM_RECORDS = 'problem-records';
/** Record workflows load through the pipeline named in their input, not the accounts-only activity. */
export const PIPELINES = 'pipelines';
