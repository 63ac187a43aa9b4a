import type { AlertNotice } from '../domain/alerts';
import type { AlertChannel } from './channels';
import { postJson } from './http-post';
import { noticeHeadline, noticeParts, noticeText } from './notice-text';

/** Slack's mrkdwn treats these three as markup. */
const escaped = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** An incoming-webhook message: `text` for notifications, blocks for the channel. */
export function slackMessage(notice: AlertNotice) {
  const parts = noticeParts(notice).map(({ label, text }) =>
    label === 'Where to look' ? `*${label}:* <${text}|open>` : `*${label}:* ${escaped(text)}`,
  );
  return {
    text: noticeText(notice).slice(0, 3_000),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: noticeHeadline(notice).slice(0, 150) } },
      // A section's text is limited to 3,000 characters.
      { type: 'section', text: { type: 'mrkdwn', text: parts.join('\n').slice(0, 3_000) } },
    ],
  };
}

/** A Slack (or Slack-compatible: Mattermost, Rocket.Chat, Teams via a connector) incoming webhook. */
export function slackChannel({ url }: { url: string }): AlertChannel {
  return {
    name: 'slack',
    deliver: (notice) =>
      postJson(
        { name: 'slack', variables: 'ALERT_SLACK_WEBHOOK_URL' },
        url,
        JSON.stringify(slackMessage(notice)),
      ),
  };
}
