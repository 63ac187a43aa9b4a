import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Custom search attributes, so the UI can filter e.g. `RecordSyncStatus = "dead-lettered"`. */
export const pipelineAttribute = defineSearchAttributeKey('RecordSyncPipeline', SearchAttributeType.KEYWORD);
export const recordIdAttribute = defineSearchAttributeKey('RecordSyncRecordId', SearchAttributeType.KEYWORD);
export const statusAttribute = defineSearchAttributeKey('RecordSyncStatus', SearchAttributeType.KEYWORD);

export const searchAttributes = [pipelineAttribute, recordIdAttribute, statusAttribute];

export type RecordStatus = 'processing' | 'synced' | 'dead-lettered';
