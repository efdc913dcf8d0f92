import { content } from './helpers';
import { capturingExamples, withExamples } from './capturingTopic';

/**
 * Finds a capturing topic's examples in a process of its own (training models takes seconds the test's server
 * must not wait for): reads { owner, message, topic, taught } as JSON, `taught` being the owner's English
 * examples with the message, and writes the examples of each language as JSON.
 */
let input = '';
process.stdin.on('data', (chunk) => (input += chunk));
process.stdin.on('end', () => {
  const { owner, message, topic, taught } = JSON.parse(input) as {
    owner: string;
    message: string;
    topic: string;
    taught: string[];
  };
  process.stdout.write(
    JSON.stringify(capturingExamples(withExamples(content(), 'en', owner, taught), owner, message, topic)),
  );
});
