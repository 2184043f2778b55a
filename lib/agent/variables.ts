// The per-server variables of the agent's installation (declared by the registry backends, so the
// server page lists them with their effective values).
import type { VariableSpec } from "../orchestration/backend";

export const AGENT_VARIABLES: Record<string, VariableSpec> = {
  AGENT_DIR: { default: "/usr/local/lib/orchestra-agent", description: "Where the Orchestra agent (one Python 3 file) is installed." },
  AGENT_CONFIG: { default: "/etc/orchestra-agent/config.json", description: "The agent's configuration: Orchestra's URL and this server's token (mode 600)." },
  AGENT_STATE_DIR: { default: "/var/lib/orchestra-agent", description: "The agent's state: the version it applied, a report not yet delivered." },
  AGENT_PYTHON: { default: "/usr/bin/python3", description: "The Python 3 interpreter that runs the agent." },
};
