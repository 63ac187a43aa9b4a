import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';
import type { FailureKind, ProblemResolution, ProblemStatus, RecordStatus } from '../domain/sync';

/**
 * Custom search attributes: the UI and `temporal workflow list --query` filter on them. They are
 * stored in plaintext (payload encryption does not cover them): never put record values here.
 */
export const pipelineAttribute = defineSearchAttributeKey('RecordSyncPipeline', SearchAttributeType.KEYWORD);
export const recordIdAttribute = defineSearchAttributeKey('RecordSyncRecordId', SearchAttributeType.KEYWORD);
/** A record's current problem status, on its problem-record workflow: `RecordSyncStatus = "DEAD_LETTER"`. */
export const statusAttribute = defineSearchAttributeKey('RecordSyncStatus', SearchAttributeType.KEYWORD);
/** What happened to one record version, on its record workflow: the record's trail. */
export const outcomeAttribute = defineSearchAttributeKey('RecordSyncOutcome', SearchAttributeType.KEYWORD);
export const errorKindAttribute = defineSearchAttributeKey(
  'RecordSyncErrorKind',
  SearchAttributeType.KEYWORD,
);
export const fieldAttribute = defineSearchAttributeKey('RecordSyncField', SearchAttributeType.KEYWORD);
export const failedAtAttribute = defineSearchAttributeKey('RecordSyncFailedAt', SearchAttributeType.DATETIME);

export const searchAttributes = [
  pipelineAttribute,
  recordIdAttribute,
  statusAttribute,
  outcomeAttribute,
  errorKindAttribute,
  fieldAttribute,
  failedAtAttribute,
];

/** The attributes a record version's workflow starts with; its outcome changes as it goes. */
export function recordVersionAttributes(
  pipeline: string,
  recordId: string,
  outcome: RecordStatus = 'PROCESSING',
): SearchAttributePair[] {
  return [
    { key: pipelineAttribute, value: pipeline },
    { key: recordIdAttribute, value: recordId },
    { key: outcomeAttribute, value: outcome },
  ];
}

/** The attributes of a problem-record workflow: filterable by status, error kind, field and time. */
export function problemAttributes(
  pipeline: string,
  recordId: string,
  problem: {
    status: ProblemStatus | ProblemResolution | 'PROCESSING';
    kind: FailureKind;
    field?: string;
    failedAt: string;
  },
): SearchAttributePair[] {
  return [
    { key: pipelineAttribute, value: pipeline },
    { key: recordIdAttribute, value: recordId },
    { key: statusAttribute, value: problem.status },
    { key: errorKindAttribute, value: problem.kind },
    { key: fieldAttribute, value: problem.field ?? '' },
    { key: failedAtAttribute, value: new Date(problem.failedAt) },
  ];
}
