import type { Metadata } from "next";
import { requireUser } from "@/lib/session";
import { PageHeader } from "@/app/ui/page-header";
import { ServerForm } from "../server-form";
import { createServer } from "../actions";

export const metadata: Metadata = { title: "Add server" };

export default async function NewServerPage() {
  await requireUser("admin");
  return (
    <>
      <PageHeader title="Add server" />
      <ServerForm action={createServer} />
    </>
  );
}
