import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';

/** Custom search attributes, so the UI can filter e.g. `RecordSyncStatus = "dead-lettered"`. */
export const pipelineAttribute = defineSearchAttributeKey('RecordSyncPipeline', SearchAttributeType.KEYWORD);
export const recordIdAttribute = defineSearchAttributeKey('RecordSyncRecordId', SearchAttributeType.KEYWORD);
export const statusAttribute = defineSearchAttributeKey('RecordSyncStatus', SearchAttributeType.KEYWORD);

export const searchAttributes = [pipelineAttribute, recordIdAttribute, statusAttribute];

export type RecordStatus = 'processing' | 'synced' | 'dead-lettered';

/** The attributes a record workflow starts with; its status changes as it ends. */
export function recordAttributes(pipeline: string, recordId: string): SearchAttributePair[] {
  const processing: RecordStatus = 'processing';
  return [
    { key: pipelineAttribute, value: pipeline },
    { key: recordIdAttribute, value: recordId },
    { key: statusAttribute, value: processing },
  ];
}
