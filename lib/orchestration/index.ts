// The engine's public surface. Framework-free: no imports from app/ or next/*.
export { BackendRegistry, type Backend, type ScriptContext, type RelatedModel } from "./backend";
export { Engine, type EngineOptions } from "./engine";
export { orchestrate, type TxDb, type UnitOfWorkResult, type OperationRow } from "./unit-of-work";
export { runOperations, runUnitOfWork } from "./dispatcher";
export { retryLog, revokeOperations, cancelLog, dryRun, runSelection, type Selection } from "./manual";
export type { BackendCommand, VariableSpec } from "./backend";
export { compileMatch, validateMatch, routeOperations, routeInput, MatchError } from "./router";
export { renderScript } from "./script";
export { sh, raw, quote } from "./shell";
export { SshExecutor, HostKeyMismatch, fingerprint } from "./executors/ssh";
export type { ScriptExecutor, ExecutionResult } from "./executors/types";
export type { RunReport } from "./runner";
export * from "./types";
