#!/usr/bin/env node
// function-odoo: parse the standard flags (--address, --insecure,
// --tls-server-certs-dir, --debug) and serve. Everything else is in compose.ts.
import { serve } from '@crossplane-org/function-sdk-typescript';
import { compose } from './compose.js';

serve(compose, { name: 'function-odoo' });
