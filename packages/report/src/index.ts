/**
 * @tsprof/report: one registry of renderers and exporters, keyed by result kind × output format.
 * Every command and `tsprof show` render through it. See entries.ts to add a format.
 */
export { ENTRIES, type RendererEntry } from "./entries";
export { formatsFor, findRenderer, rendererFor, renderResult, formatFromPath } from "./registry";
