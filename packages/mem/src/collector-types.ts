/** The child-side collector contract, owned by @tsprof/runner (src/collector.ts). */
export type { CollectorContext, EventSink, ChildExit, Collector, FileMeta } from "@tsprof/runner/child";
