// The registry as the engine, route checks and tests use it: derived from the services (./index.ts).
export { createRegistry, MODEL_SAMPLES } from "./index";
