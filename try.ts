import amqp from 'amqplib';
const t = Date.now();
const conn = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
console.log('connected', Date.now() - t);
const ch = await conn.createChannel();
for (const q of ['imgflo.jobs.urgent', 'imgflo.jobs.background', 'imgflo.jobs.dead']) { try { await ch.purgeQueue(q); console.log('purged', q); } catch (e) { console.log('err', String(e)); } }
await conn.close();
console.log('done', Date.now() - t);
