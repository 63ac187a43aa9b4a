// The workflows the worker bundles and registers, by workflow type.
export { pipelineWorkflow } from './pipeline';
export { syncRun } from './sync-run';
export { syncRecordVersion } from './sync-record-version';
export { problemRecord } from './problem-record';
export { problemRecordsBulk } from './problem-records-bulk';
export { reconcilePipeline } from './reconciliation';
export { alertWatch } from './alert-watch';
// Record workflows started before problem records, until they have all finished.
export { legacySyncRecord as syncRecord } from './legacy/sync-record';
