import { instantOf } from '../domain/position';
import {
  DIFFERENCE_KINDS,
  FAILURE_KINDS,
  type DeliveryReport,
  type ReconciliationSummary,
  type PipelinePause,
  type RecordFailure,
  type RunSummary,
} from '../domain/sync';
import type { BeginRunRequest, DiscardRequest, PageReport, ReplayRequest } from './messages';

/*
 * Checks for messages that reach long-lived workflows. Any of them can be sent by hand from the
 * UI's "Send a Signal" or "Send an Update" with any input: a malformed one must be rejected (an
 * update) or ignored with a log line (a signal), never fail a workflow task.
 */

type Fields = Record<string, unknown>;

const isObject = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isText = (value: unknown, max = 10_000): value is string =>
  typeof value === 'string' && value.length <= max;
const isOptionalText = (value: unknown, max = 10_000) => value === undefined || isText(value, max);
const isCount = (value: unknown) => Number.isInteger(value) && (value as number) >= 0;
const isInstant = (value: unknown) => isText(value, 40) && !Number.isNaN(Date.parse(value));

export function isRecordFailure(value: unknown): value is RecordFailure {
  return (
    isObject(value) &&
    isText(value.recordId, 255) &&
    value.recordId.length > 0 &&
    isText(value.version, 1_000) &&
    (FAILURE_KINDS as readonly unknown[]).includes(value.kind) &&
    isText(value.error) &&
    isOptionalText(value.field, 255) &&
    isOptionalText(value.value, 1_000) &&
    isCount(value.attempts) &&
    isInstant(value.failedAt) &&
    isText(value.workflowId, 1_000) &&
    (value.diff === undefined ||
      (Array.isArray(value.diff) && value.diff.length <= 50 && value.diff.every(isObject)))
  );
}

/** A position, or a checkpoint object from a run begun before positions were strings. */
const isCheckpoint = (value: unknown) =>
  value === null ||
  (isText(value, 2_000) && isInstant(instantOf(value))) ||
  (isObject(value) && isInstant(value.systemModstamp) && isText(value.id, 255));

export function isRunSummary(value: unknown): value is RunSummary {
  return (
    isObject(value) &&
    isText(value.runId, 1_000) &&
    isInstant(value.startedAt) &&
    isObject(value.counts) &&
    Object.values(value.counts).every(isCount) &&
    isCount(value.pages) &&
    isCheckpoint(value.checkpoint)
  );
}

export function isPageReport(value: unknown): value is PageReport {
  return (
    isObject(value) &&
    isText(value.runId, 1_000) &&
    isCount(value.checkpointGeneration) &&
    isCheckpoint(value.checkpoint) &&
    isRunSummary(value.summary)
  );
}

export function isPipelinePause(value: unknown): value is PipelinePause {
  return isObject(value) && isText(value.reason) && isText(value.runId, 1_000) && isInstant(value.at);
}

export const isSyncedVersion = (value: unknown): value is { version: string } =>
  isObject(value) && isText(value.version, 64);

/** Why an operator's replay request is malformed, or undefined when it is fine. */
export function replayRequestProblem(request: unknown): string | undefined {
  if (request === undefined || request === null) return undefined;
  if (!isObject(request))
    return 'the request must be an object such as {"edit": {"Phone": "+1 415 555 0100"}}';
  const unknown = Object.keys(request).filter((key) => !['edit', 'wait', 'by'].includes(key));
  if (unknown.length) return `unknown ${unknown.join(', ')}: a replay takes "edit", "wait" and "by"`;
  const { edit, wait, by } = request as ReplayRequest & Fields;
  if (wait !== undefined && typeof wait !== 'boolean') return '"wait" must be true or false';
  if (!isOptionalText(by, 255)) return '"by" must be a name';
  if (edit === undefined) return undefined;
  if (!isObject(edit) || Object.keys(edit).length === 0 || Object.keys(edit).length > 100) {
    return '"edit" must be an object of field names and their new values';
  }
  const bad = Object.entries(edit).find(
    ([, v]) => !(v === null || typeof v === 'number' || typeof v === 'boolean' || isText(v, 100_000)),
  );
  return bad ? `edit: ${bad[0]} must be text, a number, true/false or null` : undefined;
}

export function resumeRequestProblem(request: unknown): string | undefined {
  if (request === undefined || request === null) return undefined;
  const fine =
    isObject(request) && Object.keys(request).every((key) => key === 'by') && isOptionalText(request.by, 255);
  return fine ? undefined : 'the request must be {} or {"by": "your name"}';
}

export function discardRequestProblem(request: unknown): string | undefined {
  if (!isObject(request)) return 'the request must be an object such as {"reason": "duplicate account"}';
  const { reason, by } = request as DiscardRequest & Fields;
  if (!isText(reason, 1_000) || reason.trim() === '') return '"reason" must say why (up to 1,000 characters)';
  if (!isOptionalText(by, 255)) return '"by" must be a name';
  return undefined;
}

export const isBeginRunRequest = (value: unknown): value is BeginRunRequest =>
  isObject(value) &&
  isText(value.runId, 1_000) &&
  isInstant(value.startedAt) &&
  isObject(value.settings) &&
  isText(value.settings.taskQueue, 1_000) &&
  isCount(value.settings.windowSize) &&
  isObject(value.settings.retry);

/** Why a conflict decision is malformed, or undefined when it is fine. */
export function resolveConflictProblem(request: unknown, conflicting: string[]): string | undefined {
  if (!isObject(request)) return 'the request must be an object such as {"use": "source"}';
  const unknown = Object.keys(request).filter((key) => !['use', 'fields', 'wait', 'by'].includes(key));
  if (unknown.length)
    return `unknown ${unknown.join(', ')}: a decision takes "use", "fields", "wait" and "by"`;
  const { use, fields, wait, by } = request;
  if (use !== 'source' && use !== 'destination' && use !== 'merge')
    return '"use" must be "source", "destination" or "merge"';
  if (wait !== undefined && typeof wait !== 'boolean') return '"wait" must be true or false';
  if (!isOptionalText(by, 255)) return '"by" must be a name';
  if (use !== 'merge') return fields === undefined ? undefined : '"fields" goes with "use": "merge" only';
  if (!isObject(fields) || Object.keys(fields).length === 0)
    return 'a merge names its fields: {"phone": "destination", …}';
  const bad = Object.entries(fields).find(
    ([field, side]) => !conflicting.includes(field) || (side !== 'source' && side !== 'destination'),
  );
  if (bad)
    return `fields: ${bad[0]} must be one of the conflicting fields (${conflicting.join(', ')}), set to "source" or "destination"`;
  return undefined;
}

export function isDeliveryReport(value: unknown): value is DeliveryReport {
  return (
    isObject(value) &&
    isText(value.name, 1_000) &&
    isText(value.status, 40) &&
    isInstant(value.at) &&
    isObject(value.counts) &&
    Object.keys(value.counts).length <= 20 &&
    Object.values(value.counts).every(isCount) &&
    isOptionalText(value.note, 2_000)
  );
}

export function isReconciliationSummary(value: unknown): value is ReconciliationSummary {
  return (
    isObject(value) &&
    isText(value.runId, 1_000) &&
    isInstant(value.startedAt) &&
    isInstant(value.finishedAt) &&
    isCount(value.matching) &&
    (value.held === undefined || isCount(value.held)) &&
    isObject(value.differences) &&
    DIFFERENCE_KINDS.every((kind) => isCount((value.differences as Fields)[kind])) &&
    typeof value.repair === 'boolean' &&
    isObject(value.repaired) &&
    ['resynced', 'conflicts', 'orphans'].every((key) => isCount((value.repaired as Fields)[key])) &&
    isOptionalText(value.report, 2_000) &&
    isOptionalText(value.stoppedBy)
  );
}

export const isDestinationEvent = (value: unknown): value is { event: string; payload: unknown } =>
  isObject(value) && isText(value.event, 100) && JSON.stringify(value.payload ?? null).length < 64_000;

export const isRecordStaged = (value: unknown): value is { workflowId: string; stage: string } =>
  isObject(value) && isText(value.workflowId, 1_000) && isText(value.stage, 100);
