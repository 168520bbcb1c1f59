/** `npm start`: the edge on 127.0.0.1:8787 and the backend on 8080, until Ctrl-C. */
import { startStack } from './stack.ts';

const edgePort = Number(process.env.IMGFLO_EDGE_PORT ?? 8787);
const backendPort = Number(process.env.IMGFLO_PORT ?? 8080);
const stack = await startStack({
  edgePort,
  backendPort,
  dataDir: process.env.IMGFLO_DATA_DIR ?? '.imgflo',
  inheritOutput: true,
  // Cheaper than wrangler dev (no devtools relay: about 10 ms of CPU less per miss), and the
  // edge's log lines still reach the terminal.
  devtools: false,
  edgeLogs: true,
});
console.log(`
imgflo is running
  edge     ${stack.edgeUrl}      (try ${stack.edgeUrl}/graph/passthrough?input=files%2Fgrid-toastybob.jpg&width=300)
  graphs   ${stack.edgeUrl}/graphs
  backend  ${stack.backendUrl}  (results under /cache/, metrics at /metrics)
  purge    IMGFLO_BRIDGE_TOKEN=${stack.env.IMGFLO_BRIDGE_TOKEN} node bin/imgflo.mjs purge --graph NAME
Ctrl-C stops both.
`);
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    await stack.stop();
    process.exit(0);
  });
}
