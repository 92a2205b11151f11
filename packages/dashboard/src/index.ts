export * from "./model";
export * from "./layout";
export * from "./render";
export * from "./chart";
// One copy of the machine reading, in @tsprof/diffusion (the study records it too).
export { collectMachineInfo as gatherMachineInfo, machineInfoFrom, type MachineReadings } from "@tsprof/diffusion";
export * from "./actions";
export * from "./study-runner";
export * from "./headless";
export * from "./tui";
export * from "./tui-view";
export * from "./setup";
export * from "./png";
export * from "./original-lines";
