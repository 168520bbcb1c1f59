// The processing process when the service runs from its TypeScript sources (npm start, tests):
// TypeScript is loaded through tsx. The bundle (npm run build:backend) has its own child.mjs.
import { register } from 'tsx/esm/api';

register();
await import('./child.ts');
