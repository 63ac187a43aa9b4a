import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { ChannelRefusedError, ChannelUnavailableError } from '../alerts/channel-errors';
import { alertChannels, type AlertChannel } from '../alerts/channels';
import { activeConditions, type RuleSettings } from '../alerts/rules';
import { ALERT_CHANNEL_REFUSED, type AlertCheck, type AlertNotice, type AlertPolicy } from '../domain/alerts';
import type { Config } from '../config';
import { pipelineHealth, type PipelineHealth } from '../monitoring/health';
import { alertSent } from '../monitoring/metrics';

export interface DeliverAlert {
  notice: AlertNotice;
  /** A channel's name: the watch never holds its URL or password. */
  channel: string;
}

export interface AlertDependencies {
  /** Every configured pipeline's state, now. */
  health(now: Date): Promise<PipelineHealth[]>;
  rules: RuleSettings;
  policy: AlertPolicy;
  channels: ReadonlyMap<string, AlertChannel>;
}

/** The alert watch's activities: what holds now (read in the worker), and one delivery. */
export function createAlertActivities({ health, rules, policy, channels }: AlertDependencies) {
  return {
    async checkAlertConditions(): Promise<AlertCheck> {
      const now = new Date();
      const pipelines = await health(now);
      return {
        checkedAt: now.toISOString(),
        conditions: activeConditions(pipelines, rules, now.getTime()),
        unknownPipelines: pipelines
          .filter((pipeline) => !pipeline.overview)
          .map((pipeline) => pipeline.pipeline),
        policy,
        channels: [...channels.keys()],
      };
    },

    /** One notice to one channel; a refusal is final, anything else is retried by the watch's policy. */
    async deliverAlert({ notice, channel: name }: DeliverAlert): Promise<void> {
      const channel = channels.get(name);
      if (!channel) {
        throw ApplicationFailure.create({
          type: ALERT_CHANNEL_REFUSED,
          nonRetryable: true,
          message: `no alert channel named ${name} is configured in this worker (configured: ${[...channels.keys()].join(', ') || 'none'})`,
        });
      }
      try {
        await channel.deliver(notice);
      } catch (error) {
        if (error instanceof ChannelRefusedError) {
          throw ApplicationFailure.create({
            type: ALERT_CHANNEL_REFUSED,
            nonRetryable: true,
            message: error.message,
          });
        }
        if (error instanceof ChannelUnavailableError) {
          throw ApplicationFailure.create({
            type: error.name,
            message: error.message,
            ...(error.retryAfterMs ? { nextRetryDelay: error.retryAfterMs } : {}),
          });
        }
        throw error;
      }
      alertSent(Context.current().metricMeter, notice.alert.rule, name);
    },
  };
}

/** The alert activities of a worker: its client reads the pipelines, its configuration has the rest. */
export function alertActivities(client: Client, config: Config) {
  return createAlertActivities({
    health: (now) => pipelineHealth(client, config, now),
    rules: { thresholds: config.alerts.thresholds, links: config.alerts.links },
    policy: config.alerts.policy,
    channels: alertChannels(config.alerts.channels),
  });
}
