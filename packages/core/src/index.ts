export * from "./schema";
export * from "./line";
export * from "./mem";
export * from "./study";
export * from "./io";
export { validateResult, validateAnyResult, upgradeResult, cellStatusFromError } from "./validate";
export * from "./format";
export * from "./counters";
export * from "./render-contract";
