import { agentReport } from "@/lib/agent/api";
import { engine } from "@/lib/orchestra";

export const dynamic = "force-dynamic";

export const POST = (request: Request) => agentReport(engine, request);
