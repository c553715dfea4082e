#!/usr/bin/env node
// The `eiddesk` command. Runs the bundled CLI (built by `npm install` via the prepare script).
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const bundle = path.join(__dirname, '..', 'dist', 'cli.cjs');
if (!fs.existsSync(bundle)) {
  process.stderr.write('eiddesk: the CLI is not built yet. Run: npm run build\n');
  process.exit(1);
}
try { require('node:module').enableCompileCache?.(); } catch { /* Node < 22 */ }
require(bundle);
