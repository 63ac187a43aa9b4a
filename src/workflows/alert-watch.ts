import {
  ActivityFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { EngineActivities } from '../activities';
import { ALERT_CHANNEL_REFUSED, type AlertNotice } from '../domain/alerts';
import { innermostMessage } from '../domain/failure-text';
import { activeAlertsQuery, checkNowUpdate, type AlertCheckAnswer } from './alert-messages';
import { activeAlerts, emptyAlertState, nextAlertState, type AlertWatchState } from './alert-state';

export interface AlertWatchInput {
  /** Carried across continue-as-new. */
  state?: AlertWatchState;
}

// The check reads every pipeline's state from the worker, where the configuration and client are.
const { checkAlertConditions } = proxyActivities<EngineActivities>({
  startToCloseTimeout: '1 minute',
  scheduleToCloseTimeout: '5 minutes',
  retry: { maximumInterval: '30 seconds' },
});

/**
 * The alert watch (one per namespace, id ALERT_WATCH_WORKFLOW_ID): every check interval it asks
 * the worker which alert conditions hold, notifies the new ones, reminds of those that persist
 * after the repeat interval and announces those that cleared, within each rule's hourly limit.
 * Each notice goes to each channel by its own activity, retried by the server until it is taken
 * or the give-up time passes, so one broken channel never holds up or doubles another. It sees
 * channels by name only: their URLs, keys and passwords stay in the worker's configuration.
 */
export async function alertWatch(input: AlertWatchInput = {}): Promise<void> {
  let state = input.state ?? emptyAlertState();
  let started = 0;
  let done = 0;
  let wanted = 0;
  let deliveries = 0;
  let answer: AlertCheckAnswer | undefined;

  setHandler(activeAlertsQuery, () => activeAlerts(state));
  setHandler(checkNowUpdate, async () => {
    // A check already under way may have read the pipelines before the request: wait for the next.
    const target = started + 1;
    wanted = Math.max(wanted, target);
    await condition(() => done >= target);
    return answer!;
  });

  const deliver = (notice: AlertNotice, channel: string) => {
    const { deliverAlert } = proxyActivities<EngineActivities>({
      startToCloseTimeout: '1 minute',
      scheduleToCloseTimeout: state.policy.deliveryGiveUpMs,
      retry: {
        initialInterval: '5 seconds',
        backoffCoefficient: 2,
        maximumInterval: '5 minutes',
        nonRetryableErrorTypes: [ALERT_CHANNEL_REFUSED],
      },
    });
    deliveries += 1;
    void deliverAlert({ notice, channel })
      .catch((error: unknown) =>
        log.error('alert notice not delivered', {
          notice: notice.id,
          rule: notice.alert.rule,
          channel,
          error: innermostMessage(error),
        }),
      )
      .finally(() => {
        deliveries -= 1;
      });
  };

  const check = async (): Promise<AlertCheckAnswer> => {
    try {
      const found = await checkAlertConditions();
      const next = nextAlertState(state, found, Date.now());
      state = next.state;
      for (const notice of next.notices) for (const channel of found.channels) deliver(notice, channel);
      return {
        checkedAt: found.checkedAt,
        active: activeAlerts(state),
        notices: next.notices.map(({ id, kind, alert }) => ({
          id,
          kind,
          rule: alert.rule,
          pipeline: alert.pipeline,
        })),
        channels: found.channels,
      };
    } catch (error) {
      if (!(error instanceof ActivityFailure)) throw error;
      // Nothing read is nothing cleared: the conditions stay as the last check left them.
      log.warn('alert check failed', { error: innermostMessage(error) });
      return {
        checkedAt: new Date(Date.now()).toISOString(),
        active: activeAlerts(state),
        notices: [],
        channels: [],
        error: innermostMessage(error),
      };
    }
  };

  for (;;) {
    started += 1;
    answer = await check();
    done = started;
    // Deliveries in flight would be lost with this run: continue as new only once they are done.
    const ready = () => workflowInfo().continueAsNewSuggested && deliveries === 0 && allHandlersFinished();
    await condition(() => wanted > started || ready(), state.policy.checkIntervalMs);
    if (ready()) await continueAsNew<typeof alertWatch>({ state });
  }
}
