// The processing thread when the service runs from its TypeScript sources (npm start, tests):
// TypeScript is loaded through tsx. The bundle (npm run build:backend) has its own thread.mjs.
import { register } from 'tsx/esm/api';

register();
const thread = await import('./thread.ts');
export default thread.default;
