import { findTemporalCli } from './temporal-cli';

// `npm run provision`: makes sure a Temporal CLI exists before tests or start-up need it.
try {
  const cli = findTemporalCli();
  console.log(
    `Temporal CLI (${cli.source}): ${'path' in cli ? cli.path : 'the SDK downloads it on first use'}`,
  );
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
