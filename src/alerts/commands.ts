import { Command, Option } from 'commander';
import type { Client } from '@temporalio/client';
import { loadConfig, type Config } from '../config';
import { ALERT_WATCH_WORKFLOW_ID } from '../domain/alerts';
import { connectClient } from '../temporal';
import { activeAlerts, checkAlertsNow, describeAlerts, describeChannels, ensureAlertWatch } from './watch';

/** Connects, runs one alerts command, and always closes the connection. */
function withClient<A extends unknown[]>(
  action: (client: Client, config: Config, ...args: A) => Promise<void>,
) {
  return async (...args: A) => {
    const config = loadConfig();
    const client = await connectClient(config);
    try {
      await action(client, config, ...args);
    } finally {
      await client.connection.close();
    }
  };
}

/** `npx record-sync alerts start|status|check`: the alert watch from the command line. */
export function alertsCommand(): Command {
  const alerts = new Command('alerts').description(
    'the alert watch: which alert conditions hold, notices to Slack, a webhook and email',
  );
  alerts
    .command('start')
    .description(`start the alert watch (${ALERT_WATCH_WORKFLOW_ID}) unless it runs (npm start does)`)
    .action(
      withClient(async (client, config) => {
        const outcome = await ensureAlertWatch(client, config);
        console.log(
          `Alert watch ${ALERT_WATCH_WORKFLOW_ID} ${outcome}; channels: ${describeChannels(config)}.`,
        );
      }),
    );
  alerts
    .command('status')
    .description('the alerts active now, as of the latest check (exits 2 when there are any)')
    .addOption(new Option('--json', 'print JSON for scripts'))
    .action(
      withClient(async (client, _config, options: { json?: boolean }) => {
        const active = await activeAlerts(client);
        console.log(options.json ? JSON.stringify(active, null, 2) : describeAlerts(active));
        if (active.length > 0) process.exitCode = 2;
      }),
    );
  alerts
    .command('check')
    .description(
      'check every pipeline now rather than at the next interval; prints what holds and what was sent',
    )
    .addOption(new Option('--json', 'print JSON for scripts'))
    .action(
      withClient(async (client, _config, options: { json?: boolean }) => {
        const answer = await checkAlertsNow(client);
        if (options.json) return console.log(JSON.stringify(answer, null, 2));
        const sent = answer.notices.map(
          (notice) => `  ${notice.kind} ${notice.rule} on ${notice.pipeline} (${notice.id})`,
        );
        console.log(
          [
            answer.error ? `The check failed: ${answer.error}` : `Checked at ${answer.checkedAt}.`,
            describeAlerts(answer.active),
            sent.length
              ? `Notices sent to ${answer.channels.join(', ') || 'no channel (none configured)'}:\n${sent.join('\n')}`
              : 'No new notice.',
          ].join('\n\n'),
        );
        if (answer.error) process.exitCode = 1;
      }),
    );
  return alerts;
}
