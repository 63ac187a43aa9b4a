import type { SearchAttributePair } from '@temporalio/common';
import { pipelineAttribute, recordIdAttribute, statusAttribute } from '../search-attributes';

export { statusAttribute };

/** The lower-case statuses record workflows used before the problem-record statuses. */
export type RecordStatus = 'processing' | 'synced' | 'dead-lettered';

/** The attributes a legacy record workflow starts with; its status changes as it ends. */
export function recordAttributes(pipeline: string, recordId: string): SearchAttributePair[] {
  const processing: RecordStatus = 'processing';
  return [
    { key: pipelineAttribute, value: pipeline },
    { key: recordIdAttribute, value: recordId },
    { key: statusAttribute, value: processing },
  ];
}
