// The workflows the worker bundles and registers.
export { pipelineWorkflow } from './pipeline';
export { syncRun } from './sync-run';
export { syncRecord } from './sync-record';
