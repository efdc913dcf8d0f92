/** The restify server of the benchmark's peer bots: /readyz, and /api/messages through a CloudAdapter. */
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type TurnContext } from 'botbuilder';
import restify from 'restify';

export function serveBot(logic: (context: TurnContext) => Promise<void>): void {
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
  const server = restify.createServer();
  server.use(restify.plugins.bodyParser());
  server.get('/readyz', (_req, res, next) => {
    res.send(200, { status: 'ready' });
    next();
  });
  server.post('/api/messages', async (req, res) => {
    await adapter.process(req, res, logic);
  });
  server.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
  // Exit normally on SIGTERM, so that --cpu-prof (BENCH_CPU_PROFILE) writes its profile.
  process.once('SIGTERM', () => process.exit(0));
}
