import { defineQuery, defineUpdate } from '@temporalio/workflow';
import {
  ACTIVE_ALERTS_QUERY,
  type ActiveAlert,
  type AlertNoticeKind,
  type AlertRule,
} from '../domain/alerts';

/** What one check found and what it sent (deliveries go on in the background, with retries). */
export interface AlertCheckAnswer {
  checkedAt: string;
  active: ActiveAlert[];
  notices: { id: string; kind: AlertNoticeKind; rule: AlertRule; pipeline: string }[];
  /** The channels each notice went to; none: alerts are shown (dashboard, `alerts status`) only. */
  channels: string[];
  /** The check could not be made (its activity failed): nothing was raised or resolved. */
  error?: string;
}

/** The dashboard's banner and `npx record-sync alerts status`. */
export const activeAlertsQuery = defineQuery<ActiveAlert[]>(ACTIVE_ALERTS_QUERY);
/** Checks now rather than at the next interval; answers once a check begun after the request is done. */
export const checkNowUpdate = defineUpdate<AlertCheckAnswer, []>('checkNow');
