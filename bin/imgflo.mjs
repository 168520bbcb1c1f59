#!/usr/bin/env node
// The imgflo command line (worker/cli/main.ts), run through tsx.
import { register } from 'tsx/esm/api';

register();
await import('../worker/cli/main.ts');
