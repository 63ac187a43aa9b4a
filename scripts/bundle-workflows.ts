import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';

/**
 * `npm run build`, after tsc: the workflow bundle of the compiled workflows, beside the compiled
 * worker (dist/src/workflow-bundle.js), which then starts without bundling (and without webpack).
 */
async function main(): Promise<void> {
  const dist = path.resolve(__dirname, '..', 'dist', 'src');
  const { code } = await bundleWorkflowCode({
    workflowsPath: path.join(dist, 'workflows', 'index.js'),
    // As the worker's data converter: failure messages go through the payload codec too.
    failureConverterPath: path.join(dist, 'codec', 'failure-converter.js'),
  });
  const out = path.join(dist, 'workflow-bundle.js');
  writeFileSync(out, code);
  console.log(
    `workflow bundle: ${path.relative(process.cwd(), out)} (${(code.length / 1024).toFixed(0)} KiB)`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
