-- CreateTable
CREATE TABLE "AppliedState" (
    "id" SERIAL NOT NULL,
    "serverId" INTEGER NOT NULL,
    "backend" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "objectId" TEXT NOT NULL,
    "objectLabel" TEXT NOT NULL DEFAULT '',
    "hash" TEXT NOT NULL,
    "snapshot" JSONB,
    "operationId" INTEGER,
    "appliedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "drift" TEXT,
    "checkedAt" TIMESTAMP(3),

    CONSTRAINT "AppliedState_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "AppliedState_model_objectId_idx" ON "AppliedState"("model", "objectId");

-- CreateIndex
CREATE UNIQUE INDEX "AppliedState_serverId_backend_model_objectId_key" ON "AppliedState"("serverId", "backend", "model", "objectId");

-- AddForeignKey
ALTER TABLE "AppliedState" ADD CONSTRAINT "AppliedState_serverId_fkey" FOREIGN KEY ("serverId") REFERENCES "Server"("id") ON DELETE CASCADE ON UPDATE CASCADE;

