/** Entry of the backend process: starts it from the environment, stops cleanly on a signal. */
import { startBackend } from './backend.ts';
import { ConfigError } from './config.ts';

try {
  const backend = await startBackend(process.env);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await backend.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(e.message);
    process.exit(2);
  }
  throw e;
}
