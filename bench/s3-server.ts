/**
 * The benchmark's S3 server: s3rver in a process of its own, honouring `If-None-Match: *` on PUT
 * as S3, R2 and MinIO do (test/helpers/s3rver.ts), so that a miss's store is measured as it is on
 * them. `node --import tsx bench/s3-server.ts <port> <bucket>`
 */
import { startS3rver } from '../test/helpers/s3rver.ts';

const [port = '0', bucket = 'imgflo'] = process.argv.slice(2);
await startS3rver(Number(port), [bucket], { conditionalWrites: true });
