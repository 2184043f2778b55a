import { requireUser } from "@/lib/session";
import { PageHeader } from "@/app/ui/page-header";
import { ChannelForm } from "../channel-form";
import { createChannel } from "../actions";

export default async function NewChannelPage() {
  await requireUser("admin");
  return (
    <>
      <PageHeader title="Add notification channel" />
      <ChannelForm action={createChannel} />
    </>
  );
}
