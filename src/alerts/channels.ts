import type { AlertNotice } from '../domain/alerts';
import { emailChannel } from './email';
import type { AlertSettings } from './settings';
import { slackChannel } from './slack';
import { webhookChannel } from './webhook';

/** Where notices go: one delivery is one attempt; the alert watch's retry policy does the rest. */
export interface AlertChannel {
  name: string;
  deliver(notice: AlertNotice): Promise<void>;
}

/** The configured channels, by name; the names are all the alert watch ever sees of them. */
export function alertChannels(channels: AlertSettings['channels']): Map<string, AlertChannel> {
  const configured: AlertChannel[] = [];
  if (channels.slack) configured.push(slackChannel(channels.slack));
  if (channels.webhook) configured.push(webhookChannel(channels.webhook));
  if (channels.email) configured.push(emailChannel(channels.email));
  return new Map(configured.map((channel) => [channel.name, channel]));
}
