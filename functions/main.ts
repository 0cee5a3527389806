#!/usr/bin/env node
// function-odoo: parse the standard flags (--address, --insecure,
// --tls-server-certs-dir, --debug) and serve. Everything else is in compose.ts.
import { compose } from './compose.js';
import { serveFunction } from './server.js';

serveFunction(compose, { name: 'function-odoo' });
