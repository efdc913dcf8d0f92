/** The longest message text the bot takes from any channel; longer posts are refused before they are read. */
export const MAX_ACTIVITY_TEXT = 4000;

/** The longest id (conversation, user, activity) or serviceUrl an activity may carry; Teams ids are a few hundred. */
export const MAX_ACTIVITY_ID = 1024;
