#!/usr/bin/env node
// Runs the command line from the TypeScript sources (with tsx) or, in a production build, from dist/.
const path = require('node:path');
const fs = require('node:fs');

const built = path.join(__dirname, '..', 'dist', 'src', 'client.js');
if (fs.existsSync(built)) {
  require(built);
} else {
  require('tsx/cjs');
  require('../src/client.ts');
}
