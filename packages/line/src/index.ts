export { profileLines, MODES, type LineRunOptions, type LineRun } from "./profile-lines";
export { renderLineProfile, renderFunction, renderSummary, renderJit, formatUnit, displayPath, siteLabel, type RenderOptions } from "./render";
export { summariseProfile, originOf, matchSampled, buildFromMapped, type CodeOrigin } from "./build-result";
