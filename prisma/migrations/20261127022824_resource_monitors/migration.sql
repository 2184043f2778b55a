-- CreateTable
CREATE TABLE "ResourceData" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "model" TEXT NOT NULL,
    "objectId" TEXT NOT NULL,
    "resource" TEXT NOT NULL,
    "serverId" INTEGER NOT NULL,
    "backend" TEXT NOT NULL,
    "value" REAL NOT NULL,
    "scriptLogId" INTEGER,
    "measuredAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ResourceData_serverId_fkey" FOREIGN KEY ("serverId") REFERENCES "Server" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ResourceLimit" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "model" TEXT NOT NULL,
    "objectId" TEXT NOT NULL,
    "resource" TEXT NOT NULL,
    "limitValue" REAL,
    "value" REAL,
    "measuredAt" DATETIME,
    "exceededAt" DATETIME,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "ResourceData_model_objectId_resource_measuredAt_idx" ON "ResourceData"("model", "objectId", "resource", "measuredAt");

-- CreateIndex
CREATE INDEX "ResourceData_measuredAt_idx" ON "ResourceData"("measuredAt");

-- CreateIndex
CREATE UNIQUE INDEX "ResourceLimit_model_objectId_resource_key" ON "ResourceLimit"("model", "objectId", "resource");

