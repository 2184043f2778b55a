import { notFound } from "next/navigation";
import { db } from "@/lib/db";
import { requireUser } from "@/lib/session";
import { fetchChannel } from "@/lib/data/notifications";
import { idParam } from "@/lib/schemas/common";
import { PageHeader } from "@/app/ui/page-header";
import { ActionButton } from "@/app/ui/confirm-button";
import { ChannelForm } from "../channel-form";
import { deleteChannel, testChannel, updateChannel } from "../actions";

export default async function ChannelPage({ params }: { params: Promise<{ id: string }> }) {
  await requireUser("admin");
  const id = idParam.safeParse((await params).id);
  if (!id.success) notFound();
  const channel = await fetchChannel(db, id.data);
  if (!channel) notFound();
  return (
    <>
      <PageHeader title={`Channel ${channel.name}`}>
        <ActionButton action={testChannel} fields={{ id: channel.id }} label="Send test" />
        <ActionButton action={deleteChannel} fields={{ id: channel.id }} label="Delete channel" className="btn-danger" confirm={`Delete the channel ${channel.name}?`} />
      </PageHeader>
      <ChannelForm action={updateChannel} channel={channel} />
    </>
  );
}
