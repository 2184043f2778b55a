-- CreateTable
CREATE TABLE "Agent" (
    "id" SERIAL NOT NULL,
    "serverId" INTEGER NOT NULL,
    "prefix" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "configVersion" INTEGER NOT NULL DEFAULT 0,
    "appliedEtag" TEXT,
    "appliedAt" TIMESTAMP(3),
    "agentVersion" TEXT,
    "lastSeenAt" TIMESTAMP(3),
    "installedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Agent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Agent_serverId_key" ON "Agent"("serverId");

-- CreateIndex
CREATE UNIQUE INDEX "Agent_tokenHash_key" ON "Agent"("tokenHash");

-- AddForeignKey
ALTER TABLE "Agent" ADD CONSTRAINT "Agent_serverId_fkey" FOREIGN KEY ("serverId") REFERENCES "Server"("id") ON DELETE CASCADE ON UPDATE CASCADE;

