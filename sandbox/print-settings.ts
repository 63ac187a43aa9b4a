import { SANDBOX_PORTS } from './credentials';
import { sandboxSettings } from './settings';

/**
 * Prints the settings that point record-sync at sandboxes on SANDBOX_HOST as shell `export`
 * lines, for the compose stack's worker (`eval "$(npx tsx sandbox/print-settings.ts)"`): the
 * product reads them as it would a real account's, and the demo values stay in one place.
 */
const host = process.env.SANDBOX_HOST || '127.0.0.1';
const settings = sandboxSettings({
  salesforce: `http://${host}:${SANDBOX_PORTS.salesforce}`,
  netsuite: `http://${host}:${SANDBOX_PORTS.netsuite}`,
});
for (const [name, value] of Object.entries(settings)) {
  console.log(`export ${name}='${value.replace(/'/g, `'\\''`)}'`);
}
