/** `npm start`: the edge on 127.0.0.1:8787 and the backend on 8080, until Ctrl-C. */
import { PortTaken, startStack, type Stack } from './stack.ts';

const edgePort = Number(process.env.IMGFLO_EDGE_PORT ?? 8787);
const backendPort = Number(process.env.IMGFLO_PORT ?? 8080);
let stack: Stack;
try {
  stack = await startStack({
    edgePort,
    backendPort,
    dataDir: process.env.IMGFLO_DATA_DIR ?? '.imgflo',
    inheritOutput: true,
    // Cheaper than wrangler dev (no devtools relay: about 10 ms of CPU less per miss), and the
    // edge's log lines still reach the terminal.
    devtools: false,
    edgeLogs: true,
  });
} catch (e) {
  // A taken port is named in one line; anything else that stops the start shows what it was.
  console.error(e instanceof PortTaken ? `imgflo did not start: ${e.message}` : e);
  process.exit(1);
}
console.log(`
imgflo is running
  edge     ${stack.edgeUrl}      (try ${stack.edgeUrl}/graph/passthrough?input=files%2Fgrid-toastybob.jpg&width=300)
  graphs   ${stack.edgeUrl}/graphs
  backend  ${stack.backendUrl}  (results under /cache/, metrics at /metrics)
  purge    IMGFLO_BRIDGE_TOKEN=${stack.env.IMGFLO_BRIDGE_TOKEN} node bin/imgflo.mjs purge --backend ${stack.backendUrl} --graph NAME
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
