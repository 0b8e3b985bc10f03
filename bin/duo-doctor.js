#!/usr/bin/env node
// The installed command: runs the compiled bundle (never TypeScript at run time).
import '../dist/cli.js';
