import { amqpVhostUrl } from './test/helpers/services.ts';
const t = Date.now();
console.log(await amqpVhostUrl('imgflo-test-unit'), Date.now() - t);
