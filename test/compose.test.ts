import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { searchAttributes } from '../src/workflows/search-attributes';

interface ComposeService {
  image?: string;
  build?: unknown;
  ports?: string[];
  environment?: Record<string, string>;
  depends_on?: unknown;
}

const compose = parse(readFileSync('docker-compose.yml', 'utf8')) as {
  services: Record<string, ComposeService>;
};
const readme = readFileSync('README.md', 'utf8');

/** The README's table of the stack's services, between its compose-services markers. */
function documentedServices() {
  const table = /<!-- compose-services[^>]*-->([\s\S]*?)<!-- \/compose-services -->/.exec(readme);
  assert.ok(table, 'the README has no compose-services table');
  const cells = (line: string) =>
    line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim());
  return table[1]
    .trim()
    .split('\n')
    .slice(2)
    .map((line) => {
      const [service, image, ports, environment] = cells(line);
      const list = (text: string) =>
        text
          .split(',')
          .map((item) => item.trim())
          .filter(Boolean);
      return { service, image, ports: list(ports), environment: list(environment) };
    });
}

describe('docker-compose.yml', () => {
  const documented = documentedServices();

  it('documents every service it defines', () => {
    assert.deepEqual(documented.map((s) => s.service).sort(), Object.keys(compose.services).sort());
    for (const required of ['postgresql', 'temporal', 'temporal-ui', 'worker', 'sandbox']) {
      assert.ok(compose.services[required], `no ${required} service`);
    }
  });

  for (const { service, image, ports, environment } of documented) {
    it(`defines ${service} with the image, ports and environment the README documents`, () => {
      const defined = compose.services[service];
      assert.ok(defined, `the README names ${service}, which docker-compose.yml lacks`);
      if (image === '(build)') assert.ok(defined.build, `${service} should be built from the Dockerfile`);
      else assert.equal(defined.image, image);
      const published = (defined.ports ?? []).map((mapping) => mapping.split(':')[0]);
      assert.deepEqual(published, ports);
      for (const variable of environment) {
        assert.ok(defined.environment && variable in defined.environment, `${service} lacks ${variable}`);
      }
    });
  }

  it('backs Temporal with PostgreSQL and points the UI and the worker at it', () => {
    const temporal = compose.services.temporal;
    assert.equal(temporal.environment?.DB, 'postgres12');
    assert.equal(temporal.environment?.POSTGRES_SEEDS, 'postgresql');
    assert.equal(compose.services['temporal-ui'].environment?.TEMPORAL_ADDRESS, 'temporal:7233');
    assert.equal(compose.services.worker.environment?.TEMPORAL_ADDRESS, 'temporal:7233');
  });

  it('puts no credential in the worker environment (it uses the sandbox or the host environment)', () => {
    const environment = compose.services.worker.environment ?? {};
    for (const variable of Object.keys(environment)) {
      assert.doesNotMatch(variable, /SECRET|TOKEN|KEY|PASSWORD/);
    }
  });

  it('registers every search attribute the workflows use, with its type', () => {
    const command = JSON.stringify(compose.services['temporal-setup']);
    for (const attribute of searchAttributes) {
      assert.ok(command.includes(attribute.name), `${attribute.name} is not registered`);
    }
    assert.match(command, /RecordSyncFailedAt --type Datetime/);
  });
});
