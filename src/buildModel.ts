/**
 * `npm run build` ends here: checks the configured content (CONTENT_DIR) and trains its language model, keeping
 * both in their files, so the bot's first start reads them instead of checking and training. Nothing to do when
 * the files are there.
 */
import { loadConfig } from './config';
import { loadContent } from './content/loadContent';
import { languageModelOf } from './nlu/fromContent';

languageModelOf(loadContent(loadConfig().contentDir));
