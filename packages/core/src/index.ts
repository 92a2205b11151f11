export * from "./schema";
export * from "./line";
export * from "./mem";
export * from "./study";
export * from "./io";
export * from "./format";
export * from "./counters";
export * from "./header";
