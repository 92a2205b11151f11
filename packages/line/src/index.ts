export { profileLines, MODES, type LineRunOptions, type LineRun } from "./profile-lines";
export { renderLineProfile, renderFunction, renderSummary, formatUnit, displayPath, type RenderOptions } from "./render";
export { summariseProfile } from "./build-result";
