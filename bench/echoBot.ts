/**
 * The framework's floor for the benchmark: a bare echo bot on the same restify + CloudAdapter + Redis
 * storage as the helpdesk bot, keeping one small counter per conversation. Not part of the product.
 */
import { ConversationState } from 'botbuilder';
import { StateStoreStorage } from '../src/bot/storage';
import { createRedis } from '../src/state/redisConnection';
import { RedisStateStore } from '../src/state/redisStateStore';
import { serveBot } from './server';

async function main(): Promise<void> {
  const redis = createRedis({ url: process.env.REDIS_URL! });
  await redis.connect();
  const state = new ConversationState(new StateStoreStorage(new RedisStateStore(redis, { prefix: 'echo' })));
  const turns = state.createProperty<number>('turns');
  serveBot(async (context) => {
    const count = (await turns.get(context, 0)) + 1;
    await turns.set(context, count);
    await state.saveChanges(context);
    await context.sendActivities([
      { type: 'message', text: `${count}: ${context.activity.text ?? ''}` },
      { type: 'trace', name: 'echo', value: { count } },
    ]);
  });
}

void main();
