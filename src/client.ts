import { Command, Option } from 'commander';
import type { Client } from '@temporalio/client';
import { alertsCommand } from './alerts/commands';
import { loadConfig, type Config } from './config';
import { FAILURE_KINDS, PROBLEM_STATUSES, type FailureKind, type ProblemStatus } from './domain/sync';
import {
  describeOverview,
  describeProblem,
  describeProblemLine,
  describeReplayAnswer,
  type Printer,
} from './operator-text';
import { OperatorError, pipelineOperations, type PipelineOperations } from './operations';
import { configuredPipelines } from './pipelines';
import type { OperatorAnswer, ProblemFilter } from './problem-records';
import {
  ensureReconciliationSchedule,
  ensureSchedule,
  reconciliationScheduleId,
  triggerSync,
} from './schedule';
import { connectClient } from './temporal';

interface Output {
  json?: boolean;
}

/** Connects, runs one command, and always closes the connection; a refused request exits 1. */
function withPipeline<A extends unknown[]>(
  action: (
    ops: PipelineOperations,
    print: Printer,
    context: { client: Client; config: Config },
    ...args: A
  ) => Promise<void>,
) {
  return async (...args: A) => {
    const config = loadConfig();
    const client = await connectClient(config);
    const options =
      args.find((arg): arg is Output => typeof arg === 'object' && arg !== null && 'json' in arg) ?? {};
    const print: Printer = (forPerson, forScript) =>
      console.log(options.json ? JSON.stringify(forScript ?? forPerson, null, 2) : forPerson);
    const named = program.opts<{ pipeline?: string }>().pipeline;
    try {
      await action(pipelineOperations(client, config, named), print, { client, config }, ...args);
    } finally {
      await client.connection.close();
    }
  };
}

/** Who the workflows record as having acted, for actions from the command line. */
const OPERATOR = 'record-sync command line';

const program = new Command('record-sync')
  .description('Durable record sync on Temporal: schedules, runs, status, problem records, per pipeline')
  .option('--pipeline <name>', 'the pipeline to act on (default: the only one configured)');
const json = () => new Option('--json', 'print JSON for scripts');

function filterOptions(command: Command): Command {
  return command
    .addOption(new Option('--status <status>', 'only this status').choices(PROBLEM_STATUSES))
    .addOption(new Option('--kind <kind>', 'only this error kind').choices(FAILURE_KINDS))
    .option('--field <field>', 'only records whose failing field is this one (e.g. Phone)')
    .option('--since <time>', 'failed at or after this ISO-8601 time')
    .option('--until <time>', 'failed before this ISO-8601 time');
}

interface FilterOptions {
  status?: ProblemStatus;
  kind?: FailureKind;
  field?: string;
  since?: string;
  until?: string;
}

const filterOf = ({ status, kind, field, since, until }: FilterOptions): ProblemFilter => ({
  status,
  kind,
  field,
  since,
  until,
});
const hasFilter = (options: FilterOptions) => Object.values(filterOf(options)).some((v) => v !== undefined);

/** Prints what each action did; a refused or unknown one makes the command exit 1. */
function reportAnswers<T>(
  print: Printer,
  answers: OperatorAnswer<T>[],
  describe: (answer: T) => string,
): void {
  const lines = answers.map(
    (a) => `${a.recordId}: ${a.done ? describe(a.answer) : `${a.outcome} — ${a.reason}`}`,
  );
  print(lines.join('\n'), answers);
  if (answers.some((a) => !a.done)) process.exitCode = 1;
}

const schedule = program
  .command('schedule')
  .description('the Temporal Schedule that runs a sync every interval');
schedule
  .command('create')
  .description(
    'create the sync and reconciliation schedules (and the pipeline owner the first time), or update them to the configuration',
  )
  .action(
    withPipeline(async (ops, print, { client, config }) => {
      const owner = await ops.create();
      const outcome = await ensureSchedule(client, ops.run);
      const reconciliation =
        ops.run.reconciles && (await ensureReconciliationSchedule(client, ops.run, config.reconciliation));
      print(
        `Pipeline owner ${owner}; schedule ${ops.run.scheduleId} ${outcome}` +
          (reconciliation
            ? `; schedule ${reconciliationScheduleId(ops.pipeline)} ${reconciliation} (${config.reconciliation.cron}, ${config.reconciliation.timeZone}).`
            : '.'),
      );
    }),
  );
for (const [command, description] of [
  ['pause', 'stop starting runs'],
  ['unpause', 'start runs again (after a pipeline-level failure, use `resume`)'],
  ['delete', 'delete the schedule (the checkpoint and problem records stay)'],
] as const) {
  schedule
    .command(command)
    .description(description)
    .action(
      withPipeline(async (ops, print, { client }) => {
        const handle = client.schedule.getHandle(ops.run.scheduleId);
        await (command === 'delete' ? handle.delete() : handle[command](OPERATOR));
        print(`Schedule ${ops.run.scheduleId}: ${command}d.`);
      }),
    );
}

program
  .command('trigger')
  .description('run a sync now (says so when one is running)')
  .addOption(json())
  .action(
    withPipeline(async (ops, print, { client }) => {
      const result = await triggerSync(client, ops.run.scheduleId);
      if (result.triggered) print(`Triggered schedule ${ops.run.scheduleId}.`, result);
      else
        print(
          `Not triggered: a sync is running (${result.running}); the schedule skips overlapping runs.`,
          result,
        );
    }),
  );

program
  .command('reconcile')
  .description(
    'compare the source with the destination now, repair, and write the report (its schedule runs weekly)',
  )
  .addOption(json())
  .action(
    withPipeline(async (ops, print, { client }) => {
      if (!ops.run.reconciles)
        throw new OperatorError(`Pipeline ${ops.pipeline} has no reconciliation (yet).`);
      const scheduleId = reconciliationScheduleId(ops.pipeline);
      const result = await triggerSync(client, scheduleId);
      if (result.triggered)
        print(`Triggered schedule ${scheduleId}; \`status\` links the report when it has finished.`, result);
      else print(`Not triggered: a reconciliation is running (${result.running}).`, result);
    }),
  );

program
  .command('status')
  .description(
    'checkpoint, current and last run, pause, problem records by status (every pipeline unless --pipeline)',
  )
  .addOption(json())
  .action(async (options: Output) => {
    const config = loadConfig();
    const named = program.opts<{ pipeline?: string }>().pipeline;
    const names = named ? [named] : configuredPipelines(config).map((run) => run.name);
    const client = await connectClient(config);
    try {
      const overviews = [];
      for (const name of names) overviews.push(await pipelineOperations(client, config, name).status());
      console.log(
        options.json
          ? JSON.stringify(named ? overviews[0] : overviews, null, 2)
          : overviews.map(describeOverview).join('\n\n'),
      );
      if (overviews.some((overview) => overview.paused)) process.exitCode = 2;
    } finally {
      await client.connection.close();
    }
  });

program
  .command('resume')
  .description('after fixing a pipeline-level failure: clear the pause, unpause the schedule, run a sync now')
  .action(
    withPipeline(async (ops, print) => {
      await ops.resume();
      print(`Pipeline ${ops.pipeline} resumed; a sync was triggered.`);
    }),
  );

const problems = program
  .command('problems')
  .description('records held for a person: VALIDATION_FAILED, VERSION_CONFLICT, DEAD_LETTER, ORPHANED');

filterOptions(problems.command('list').description('list open problem records'))
  .option('--limit <n>', 'at most this many', '100')
  .addOption(json())
  .action(
    withPipeline(async (ops, print, _context, options: FilterOptions & { limit: string }) => {
      const limit = Number(options.limit);
      const listed = [];
      let token: string | undefined;
      do {
        const page = await ops.problems.listPage(
          ops.pipeline,
          filterOf(options),
          Math.min(limit - listed.length, 1000),
          token,
        );
        listed.push(...page.problems);
        token = page.nextPageToken;
      } while (token && listed.length < limit);
      const more = token ? ' (more: raise --limit)' : '';
      print(
        [...listed.map(describeProblemLine), `${listed.length} problem record(s)${more}.`].join('\n'),
        listed,
      );
    }),
  );

filterOptions(problems.command('count').description('count open problem records, by status'))
  .addOption(json())
  .action(
    withPipeline(async (ops, print, _context, options: FilterOptions) => {
      const counts = await ops.problems.countByStatus(ops.pipeline, filterOf(options));
      print(
        Object.entries(counts)
          .map(([status, n]) => `${status}: ${n}`)
          .join('\n'),
        counts,
      );
    }),
  );

problems
  .command('show <recordId>')
  .description("one problem record: its failure, the failing field's value, replays")
  .addOption(json())
  .action(
    withPipeline(async (ops, print, _context, recordId: string) => {
      const problem = await ops.problems.show(ops.pipeline, recordId);
      if (!problem) throw new OperatorError(`No problem record for ${recordId} in pipeline ${ops.pipeline}.`);
      print(describeProblem(problem), problem);
    }),
  );

filterOptions(
  problems
    .command('replay [recordIds...]')
    .description('sync problem records again (read from the source again); --all or a filter for many'),
)
  .option('--set <field=value...>', 'change a field before the sync (text; "null" clears it)')
  .option('--edit <json>', 'change fields before the sync, as a JSON object')
  .option('--all', 'every open problem record (with the filter, every matching one)')
  .option('--no-wait', 'answer once queued, not once synced')
  .addOption(json())
  .action(
    withPipeline(
      async (
        ops,
        print,
        _context,
        recordIds: string[],
        options: FilterOptions &
          Output & {
            set?: string[];
            edit?: string;
            all?: boolean;
            wait: boolean;
          },
      ) => {
        const edit = editOf(options.set, options.edit);
        if (options.all || hasFilter(options)) {
          if (recordIds.length || edit)
            throw new OperatorError('Give record ids (with an edit), or --all / a filter: not both.');
          const handle = await ops.startBulk('replay', filterOf(options));
          return print(
            `Replaying every matching problem record: workflow ${handle.workflowId} (its result counts the outcomes).`,
            { workflowId: handle.workflowId },
          );
        }
        if (!recordIds.length)
          throw new OperatorError('Name the records to replay, or use --all or a filter.');
        const answers = await Promise.all(
          recordIds.map((id) =>
            ops.problems.replay(ops.pipeline, id, {
              edit,
              wait: options.wait,
              by: OPERATOR,
            }),
          ),
        );
        reportAnswers(print, answers, describeReplayAnswer);
      },
    ),
  );

problems
  .command('resolve <recordIds...>')
  .description('decide version conflicts: NetSuite takes the source, keeps its own, or a merge')
  .addOption(
    new Option('--use <side>', 'whose values win')
      .choices(['source', 'destination', 'merge'])
      .makeOptionMandatory(),
  )
  .option('--field <field=side...>', 'with --use merge: e.g. phone=destination companyName=source')
  .addOption(json())
  .action(
    withPipeline(
      async (
        ops,
        print,
        _context,
        recordIds: string[],
        options: { use: 'source' | 'destination' | 'merge'; field?: string[] },
      ) => {
        const fields = options.field?.length
          ? Object.fromEntries(
              options.field.map((pair) => pair.split('=', 2) as [string, 'source' | 'destination']),
            )
          : undefined;
        const answers = await Promise.all(
          recordIds.map((id) =>
            ops.problems.resolveConflict(ops.pipeline, id, {
              use: options.use,
              fields,
              by: OPERATOR,
            }),
          ),
        );
        reportAnswers(print, answers, describeReplayAnswer);
      },
    ),
  );

problems
  .command('confirm <recordIds...>')
  .description('confirm orphans (ORPHANED): retire them in the destination (NetSuite: deactivate)')
  .addOption(json())
  .action(
    withPipeline(async (ops, print, _context, recordIds: string[]) => {
      const answers = await Promise.all(
        recordIds.map((id) => ops.problems.confirmOrphan(ops.pipeline, id, { by: OPERATOR })),
      );
      reportAnswers(print, answers, (view) => `${view.status} (${view.resolution?.decision ?? ''})`);
    }),
  );

filterOptions(
  problems.command('discard [recordIds...]').description('give up on problem records, saying why'),
)
  .requiredOption('--reason <text>', 'why they are discarded (kept with each record)')
  .option('--all', 'every open problem record (with the filter, every matching one)')
  .addOption(json())
  .action(
    withPipeline(
      async (
        ops,
        print,
        _context,
        recordIds: string[],
        options: FilterOptions & { reason: string; all?: boolean },
      ) => {
        if (options.all || hasFilter(options)) {
          const handle = await ops.startBulk('discard', filterOf(options), { reason: options.reason });
          return print(`Discarding every matching problem record: workflow ${handle.workflowId}.`, {
            workflowId: handle.workflowId,
          });
        }
        if (!recordIds.length)
          throw new OperatorError('Name the records to discard, or use --all or a filter.');
        const answers = await Promise.all(
          recordIds.map((id) =>
            ops.problems.discard(ops.pipeline, id, {
              reason: options.reason,
              by: OPERATOR,
            }),
          ),
        );
        reportAnswers(print, answers, (view) => `${view.status} (${view.resolution?.reason})`);
      },
    ),
  );

program
  .command('checkpoint')
  .description('the position the next run reads from')
  .command('reset')
  .description('move the checkpoint, e.g. back for a backfill')
  .requiredOption('--to <time>', 'ISO-8601 time, e.g. 2024-01-01T00:00:00Z')
  .action(
    withPipeline(async (ops, print, _context, options: { to: string }) => {
      const checkpoint = await ops.resetCheckpoint(options.to);
      print(`Checkpoint reset to ${checkpoint.replaceAll('|', ' ').trim()}.`);
    }),
  );

const pipelineCommand = program
  .command('pipeline')
  .description("the workflow that owns the pipeline's checkpoint");
pipelineCommand
  .command('create')
  .description('start it the first time (also done by `schedule create` and `npm start`)')
  .action(
    withPipeline(async (ops, print) => {
      print(`Pipeline ${ops.pipeline}: owner ${await ops.create()}.`);
    }),
  );
pipelineCommand
  .command('recover')
  .description('start a new owner after the old one ended, reading from a checkpoint you choose')
  .requiredOption(
    '--checkpoint <time>',
    'ISO-8601 time: the next run reads every record changed at or after it',
  )
  .action(
    withPipeline(async (ops, print, _context, options: { checkpoint: string }) => {
      const checkpoint = await ops.recover(options.checkpoint);
      print(
        `Pipeline ${ops.pipeline} recovered: the next run reads from ${checkpoint.replaceAll('|', ' ').trim()}.`,
      );
    }),
  );

/** `--set Phone=+1 415 555 0100` and `--edit '{"NumberOfEmployees": 12}'` as one edit. */
function editOf(set: string[] | undefined, edit: string | undefined): Record<string, unknown> | undefined {
  const fields: Record<string, unknown> = {};
  for (const assignment of set ?? []) {
    const at = assignment.indexOf('=');
    if (at <= 0) throw new OperatorError(`--set ${assignment}: expected Field=value`);
    const value = assignment.slice(at + 1);
    fields[assignment.slice(0, at)] = value === 'null' ? null : value;
  }
  if (edit !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(edit);
    } catch (error) {
      throw new OperatorError(`--edit: not JSON (${(error as Error).message})`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new OperatorError('--edit: expected a JSON object such as {"NumberOfEmployees": 12}');
    }
    Object.assign(fields, parsed);
  }
  return Object.keys(fields).length ? fields : undefined;
}

program.addCommand(alertsCommand());

program.parseAsync().catch((error: Error) => {
  console.error(`record-sync: ${error.message}`);
  process.exit(1);
});
