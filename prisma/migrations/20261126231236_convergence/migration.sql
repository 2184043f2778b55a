-- CreateTable
CREATE TABLE "AppliedState" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "serverId" INTEGER NOT NULL,
    "backend" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "objectId" TEXT NOT NULL,
    "objectLabel" TEXT NOT NULL DEFAULT '',
    "hash" TEXT NOT NULL,
    "snapshot" JSONB,
    "operationId" INTEGER,
    "appliedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "drift" TEXT,
    "checkedAt" DATETIME,
    CONSTRAINT "AppliedState_serverId_fkey" FOREIGN KEY ("serverId") REFERENCES "Server" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "AppliedState_model_objectId_idx" ON "AppliedState"("model", "objectId");

-- CreateIndex
CREATE UNIQUE INDEX "AppliedState_serverId_backend_model_objectId_key" ON "AppliedState"("serverId", "backend", "model", "objectId");

