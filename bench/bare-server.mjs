// Baseline (a) of the collector benchmark: a bare Fastify route answering 204.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.post('/bare', async (_request, reply) => reply.code(204).send());
const address = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`listening on ${address}\n`);
