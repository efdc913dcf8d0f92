/**
 * The framework's floor for the benchmark: a bare echo bot on the same restify + CloudAdapter + Redis
 * storage as the helpdesk bot, keeping one small counter per conversation. Not part of the product.
 */
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, ConversationState } from 'botbuilder';
import restify from 'restify';
import { StateStoreStorage } from '../src/bot/storage';
import { createRedis } from '../src/state/redisConnection';
import { RedisStateStore } from '../src/state/redisStateStore';

async function main(): Promise<void> {
  const redis = createRedis({ url: process.env.REDIS_URL! });
  await redis.connect();
  const state = new ConversationState(new StateStoreStorage(new RedisStateStore(redis, { prefix: 'echo' })));
  const turns = state.createProperty<number>('turns');
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
  const server = restify.createServer();
  server.use(restify.plugins.bodyParser());
  server.get('/readyz', (_req, res, next) => {
    res.send(200, { status: 'ready' });
    next();
  });
  server.post('/api/messages', async (req, res) => {
    await adapter.process(req, res, async (context) => {
      const count = (await turns.get(context, 0)) + 1;
      await turns.set(context, count);
      await state.saveChanges(context);
      await context.sendActivities([
        { type: 'message', text: `${count}: ${context.activity.text ?? ''}` },
        { type: 'trace', name: 'echo', value: { count } },
      ]);
    });
  });
  server.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
}

void main();
