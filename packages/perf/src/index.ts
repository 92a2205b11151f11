export * from "./parse/common";
export * from "./parse/perf-csv";
export * from "./parse/perf-json";
export * from "./parse/perf-human";
export * from "./parse/detect";
export * from "./parse/cachegrind";
