import { Command } from 'commander';
import { loadConfig, type Config } from './config';
import { pipelineOperations } from './operations';
import { ensureSchedule, triggerSync } from './schedule';
import { connectClient } from './temporal';
import type { Client } from '@temporalio/client';

/** Connects, runs one command, and always closes the connection. */
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

const print = (value: unknown) => console.log(JSON.stringify(value, null, 2));

const program = new Command('record-sync').description(
  'Durable Salesforce-to-NetSuite sync on Temporal: schedule, trigger, status, dead letters, replay',
);

const schedule = program
  .command('schedule')
  .description('the Temporal Schedule that runs a sync every interval');
schedule
  .command('create')
  .description('create the schedule, or update it to the configuration')
  .action(
    withClient(async (client, config) => {
      const outcome = await ensureSchedule(client, config);
      console.log(`Schedule ${config.pipeline.scheduleId} ${outcome}.`);
    }),
  );
for (const [command, description] of [
  ['pause', 'stop starting runs'],
  ['unpause', 'start runs again'],
  ['delete', 'delete the schedule (the checkpoint and dead letters stay with the pipeline)'],
] as const) {
  schedule
    .command(command)
    .description(description)
    .action(
      withClient(async (client, config) => {
        const handle = client.schedule.getHandle(config.pipeline.scheduleId);
        await (command === 'delete' ? handle.delete() : handle[command]('record-sync command line'));
        console.log(`Schedule ${config.pipeline.scheduleId}: ${command}d.`);
      }),
    );
}

program
  .command('trigger')
  .description('run a sync now (skipped if one is running)')
  .action(
    withClient(async (client, config) => {
      await triggerSync(client, config);
      console.log(`Triggered schedule ${config.pipeline.scheduleId}.`);
    }),
  );

program
  .command('status')
  .description('checkpoint, current and last run, dead-letter count')
  .action(
    withClient(async (client, config) => {
      const status = await pipelineOperations(client, config).status();
      if (!status) console.log(`Pipeline ${config.pipeline.name} has not run yet.`);
      else print(status);
    }),
  );

const deadLetters = program.command('dead-letters').description('records that could not be synced');
deadLetters
  .command('list')
  .description('list dead letters')
  .action(
    withClient(async (client, config) => {
      const letters = await pipelineOperations(client, config).deadLetters();
      print(letters.map(({ record: _record, ...letter }) => letter));
      console.error(`${letters.length} dead letter(s).`);
    }),
  );
deadLetters
  .command('replay')
  .description('sync dead letters again (all, or those given with --id)')
  .option('--id <recordId...>', 'record ids to replay')
  .action(
    withClient(async (client, config, options: { id?: string[] }) => {
      const count = await pipelineOperations(client, config).replay(options.id ?? []);
      console.log(`Replaying ${count} dead letter(s).`);
    }),
  );

program
  .command('checkpoint')
  .description('the position the next run reads from')
  .command('reset')
  .description('move the checkpoint, e.g. back for a backfill')
  .requiredOption('--to <time>', 'ISO-8601 time, e.g. 2024-01-01T00:00:00Z')
  .action(
    withClient(async (client, config, options: { to: string }) => {
      const checkpoint = await pipelineOperations(client, config).resetCheckpoint(options.to);
      console.log(`Checkpoint reset to ${checkpoint.systemModstamp}.`);
    }),
  );

program.parseAsync().catch((error: Error) => {
  console.error(`record-sync: ${error.message}`);
  process.exit(1);
});
