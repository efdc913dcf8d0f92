/** The conversation-script runner lives in src/studio, where publishing runs the scripts too. */
export * from '../src/studio/conversationScript';
