/**
 * `npm run build` ends here: checks the configured content (CONTENT_DIR) and trains its language model, keeping
 * both in their files, so the bot's first start reads them instead of checking and training; and compresses the
 * chat page's files with the best brotli, which takes seconds, so the first page request does not. Nothing to do
 * when the files are there.
 */
import { loadConfig } from './config';
import { loadContent } from './content/loadContent';
import { languageModelOf } from './nlu/fromContent';
import { keepBrotli } from './server/compressedFiles';
import { webChatFiles } from './server/webChat';

languageModelOf(loadContent(loadConfig().contentDir));
keepBrotli(Object.values(webChatFiles()).map((source) => source.file()));
