import { DIFFERENCE_KINDS, type ReconciliationSummary, type RunSummary } from './domain/sync';
import type { PipelineOverview } from './operations';
import type { ProblemSummary } from './problem-records';
import type { ProblemView, ReplayAnswer } from './workflows/messages';

/** Prints text for a person, or the given value as JSON with `--json`. */
export type Printer = (forPerson: string, forScript?: unknown) => void;

function describeRun(run: RunSummary): string {
  const { read, synced, skipped, validationFailed, conflicts, deadLettered, alreadyProcessed } = run.counts;
  const ended = run.finishedAt ? `ended ${run.finishedAt}` : 'running';
  const stopped = run.stoppedBy ? `\n    stopped: ${run.stoppedBy}` : '';
  return (
    `${run.runId} (started ${run.startedAt}, ${ended}, ${run.pages} page(s))\n` +
    `    ${read} read, ${synced} synced, ${skipped} skipped, ${validationFailed} failed validation, ` +
    `${conflicts} in conflict, ${deadLettered} dead-lettered, ${alreadyProcessed} already processed${stopped}`
  );
}

export function describeOverview(overview: PipelineOverview): string {
  const lines = [`Pipeline ${overview.pipeline}`];
  if (overview.paused) {
    lines.push(
      `  PAUSED since ${overview.paused.at}: ${overview.paused.reason}`,
      `  Fix the cause, then run \`npx record-sync resume --pipeline ${overview.pipeline}\`.`,
    );
  }
  const checkpoint = overview.checkpoint?.replaceAll('|', ' ').trim() ?? 'none (reads everything)';
  lines.push(`  checkpoint:   ${checkpoint}`);
  lines.push(`  current run:  ${overview.currentRun ? describeRun(overview.currentRun) : 'none'}`);
  if (overview.currentRunEnded)
    lines.push(
      `                (the last one started ended as ${overview.currentRunEnded} without finishing)`,
    );
  lines.push(`  last run:     ${overview.lastRun ? describeRun(overview.lastRun) : 'none yet'}`);
  const problems = Object.entries(overview.problems).map(([status, n]) => `${n} ${status}`);
  lines.push(`  problems:     ${problems.join(', ')} (npx record-sync problems list)`);
  if (overview.schedule) {
    const note = overview.schedule.note ? ` — ${overview.schedule.note}` : '';
    lines.push(`  schedule:     ${overview.schedule.paused ? 'paused' : 'active'}${note}`);
  } else lines.push('  schedule:     none (npx record-sync schedule create)');
  if (overview.deliveries?.length) {
    lines.push('  deliveries:   (latest first)');
    for (const delivery of overview.deliveries) {
      const counts = Object.entries(delivery.counts)
        .map(([what, n]) => `${n} ${what}`)
        .join(', ');
      lines.push(
        `    ${delivery.at}  ${delivery.status.padEnd(11)} ${delivery.name}${counts ? `: ${counts}` : ''}`,
      );
      if (delivery.note) lines.push(`      ${delivery.note}`);
    }
  }
  if (overview.stages) {
    const stages = Object.entries(overview.stages).map(([stage, n]) => `${n} ${stage}`);
    lines.push(`  stages:       ${stages.join(', ')} (record versions, by the stage they show now)`);
  }
  const reconciliation = overview.reconciliations?.[0];
  if (reconciliation) lines.push(...describeReconciliation(reconciliation));
  return lines.join('\n');
}

/** The latest reconciliation: its totals, what it repaired, where its report is. */
function describeReconciliation(r: ReconciliationSummary): string[] {
  const differences = DIFFERENCE_KINDS.map((kind) => `${r.differences[kind]} ${kind}`).join(', ');
  const repaired = r.repair
    ? `re-synced ${r.repaired.resynced}, conflicts raised ${r.repaired.conflicts}, orphans held ${r.repaired.orphans}`
    : 'report only (RECONCILIATION_REPAIR=false)';
  return [
    `  reconciled:   ${r.finishedAt}${r.stoppedBy ? ` STOPPED: ${r.stoppedBy}` : ''}`,
    `    ${r.matching} matching, ${differences}${r.held ? `, ${r.held} already held as problem records` : ''}`,
    `    ${repaired}`,
    ...(r.report ? [`    report: ${r.report}`] : []),
  ];
}

export const describeProblemLine = (p: ProblemSummary): string =>
  `${p.recordId}  ${p.status.padEnd(17)} ${p.kind.padEnd(17)} ${(p.field || '-').padEnd(18)} ${p.failedAt}`;

export function describeProblem(problem: ProblemView): string {
  const { failure } = problem;
  const lines = [
    `${problem.recordId} (pipeline ${problem.pipeline}): ${problem.status}`,
    `  error:      ${failure.kind} — ${failure.error}`,
  ];
  if (failure.diff) {
    lines.push('  conflict:   field: source | NetSuite now | last synced');
    for (const d of failure.diff) {
      lines.push(
        `              ${d.field}: ${JSON.stringify(d.source)} | ${JSON.stringify(d.destination)} | ${JSON.stringify(d.lastSynced)}`,
      );
    }
    lines.push('              decide: npx record-sync problems resolve <id> --use source|destination|merge');
  } else if (failure.field) lines.push(`  field:      ${failure.field} = ${failure.value ?? '(no value)'}`);
  lines.push(
    `  version:    ${failure.version}`,
    `  failed:     ${failure.failedAt} (first ${problem.firstFailedAt}; ${problem.failures} failure(s), ${failure.attempts} attempt(s) last time)`,
    `  replays:    ${problem.replays}`,
    `  workflow:   ${failure.workflowId}`,
  );
  if (problem.lastReplay) {
    const { at, by, edited, answer } = problem.lastReplay;
    lines.push(`  last replay: ${at}${by ? ` by ${by}` : ''}${edited ? ' (edited)' : ''}: ${answer.outcome}`);
  }
  if (problem.resolution) {
    const { status, at, by, reason, decision } = problem.resolution;
    const why = reason ?? (decision ? `decision: ${decision}` : '');
    lines.push(`  resolved:   ${status} ${at}${by ? ` by ${by}` : ''}${why ? ` — ${why}` : ''}`);
  }
  return lines.join('\n');
}

/** What a replay or a conflict decision did, in a line. */
export function describeReplayAnswer(answer: ReplayAnswer): string {
  if (answer.outcome === 'SKIPPED') return `SKIPPED — ${answer.reason}`;
  if (!('error' in answer)) return answer.outcome;
  const field = 'field' in answer && answer.field ? `${answer.field}: ` : '';
  return `${answer.outcome} — ${field}${answer.error}`;
}
