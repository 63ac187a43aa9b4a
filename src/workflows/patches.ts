/** Patch ids: each guards a change to workflows that may be running (see the README's upgrade notes). */
export const PROBLEM_RECORDS = 'problem-records';
/** Record workflows load through the pipeline named in their input (deprecated: being retired, see the README). */
export const PIPELINES = 'pipelines';
/**
 * A run reads its next page while the last one's records are still in flight and continues as new
 * only when its history is full; runs begun before read one page, drain it and continue as new.
 */
export const OVERLAPPING_PAGES = 'overlapping-pages';
