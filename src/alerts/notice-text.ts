import type { AlertNotice } from '../domain/alerts';
import { counted, spoken } from './wording';

const STATE: Record<AlertNotice['kind'], string> = {
  raised: 'ALERT',
  reminder: 'STILL ACTIVE',
  resolved: 'RESOLVED',
};

/** One line: what kind of notice, which rule, which pipeline, how many (a mail subject, a chat header). */
export function noticeHeadline({ kind, alert }: AlertNotice): string {
  return `[record-sync] ${STATE[kind]}: ${alert.rule} on pipeline ${alert.pipeline}, count ${alert.count}`;
}

/** The notice as labelled parts, in the order a person reads them; each channel lays them out. */
export function noticeParts(notice: AlertNotice): { label: string; text: string }[] {
  const { alert, kind } = notice;
  const lasted = spoken(Date.parse(notice.at) - Date.parse(alert.since));
  const parts =
    kind === 'resolved'
      ? [
          {
            label: 'Resolved',
            text: `this condition no longer holds (it began ${alert.since} and lasted ${lasted}).`,
          },
          { label: 'It was', text: alert.summary },
          { label: 'How many', text: `${alert.count} at the last check before it cleared` },
        ]
      : [
          { label: 'What happened', text: alert.summary },
          {
            label: 'How many',
            text:
              notice.previousCount === undefined
                ? String(alert.count)
                : `${alert.count} (${notice.previousCount} at the previous notice)`,
          },
          { label: 'Since', text: kind === 'reminder' ? `${alert.since} (${lasted})` : alert.since },
          { label: 'What to do', text: alert.advice },
        ];
  if (alert.link) parts.push({ label: 'Where to look', text: alert.link });
  if (notice.heldBack) {
    parts.push({
      label: 'Held back',
      text:
        `${counted(notice.heldBack, 'other notice')} of rule ${alert.rule} in the last hour ` +
        '(hourly limit, ALERT_MAX_PER_RULE_PER_HOUR): `npx record-sync alerts status` lists every active alert.',
    });
  }
  parts.push({ label: 'Notice', text: `${notice.id} (${notice.at})` });
  return parts;
}

/** Plain text: the mail body and every channel's fallback. */
export function noticeText(notice: AlertNotice): string {
  return [
    noticeHeadline(notice),
    '',
    ...noticeParts(notice).map(({ label, text }) => `${label}: ${text}`),
  ].join('\n');
}
