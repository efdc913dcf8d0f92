/**
 * `npm run build` ends here: trains the language model of the configured content (CONTENT_DIR) and keeps it in
 * its file, so the bot's first start loads it instead of training. Nothing to do when the file is there.
 */
import { loadConfig } from './config';
import { loadContent } from './content/loadContent';
import { languageModelOf } from './nlu/fromContent';

languageModelOf(loadContent(loadConfig().contentDir));
