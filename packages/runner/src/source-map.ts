/**
 * @tsprof/runner/source-map: from generated positions back to the user's own lines, for single
 * lines (SourceLineMapper) and whole V8 profiles (CPU and sampling heap). Its own entry, apart
 * from @tsprof/runner/child, because it loads a source-map library that a child needs only when
 * it maps positions.
 */
export { SourceLineMapper, type OriginalLine, type SavedSourceMaps } from "./source-lines";
export * from "./map-profile";
export * from "./original-positions";
export { JitTraceReader } from "./jit-trace";
