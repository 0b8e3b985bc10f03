// The check registry: every check, in the order reports list them (sorted by category, then id). Explicit on purpose:
// a test fails when a file under checks/ is missing here.
import type { CheckDefinition } from '../src/check.js';
import gatewayEnv from './gateway-env.js';
import hfHomeWritable from './hf-home-writable.js';
import resources from './resources.js';
import runtimeHost from './runtime-host.js';
import tmpWritable from './tmp-writable.js';

export const CHECKS: readonly CheckDefinition[] = [
  // runtime
  runtimeHost,
  tmpWritable,
  hfHomeWritable,
  gatewayEnv,
  resources,
];
