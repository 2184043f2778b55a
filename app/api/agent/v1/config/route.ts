import { agentConfig } from "@/lib/agent/api";
import { engine } from "@/lib/orchestra";

// a long-poll: never cached, never pre-rendered
export const dynamic = "force-dynamic";

export const GET = (request: Request) => agentConfig(engine, request);
