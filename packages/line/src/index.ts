export { profileLines, MODES, HYBRID_STACK_SAMPLE_US, type LineRunOptions, type LineRun } from "./profile-lines";
export { renderLineProfile, renderFunction, renderSummary, renderJit, formatUnit, displayPath, siteLabel, type RenderOptions } from "./render";
// The result builder (and the source-map code it loads) is not re-exported here: tsprof's own
// process loads this index at every start, and needs the builder only to rebuild a dead program's
// result (profile-lines.ts loads it then). Import it from "@tsprof/line/dist/build-result".
export { originOf, type CodeOrigin } from "./sampled-functions";
