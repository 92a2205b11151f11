/**
 * The process's RSS before tsprof's loader loads anything (register.ts imports this module first):
 * with the RSS when the user's script starts, it gives tsprof's own share of the memory.
 */
export const rssBeforeTsprof = process.memoryUsage.rss();
