-- AlterTable
ALTER TABLE "Server" ADD COLUMN "archivedAt" DATETIME;

-- CreateTable
CREATE TABLE "Lane" (
    "serverId" INTEGER NOT NULL,
    "backend" TEXT NOT NULL,
    "owner" TEXT,
    "leaseUntil" DATETIME,

    PRIMARY KEY ("serverId", "backend"),
    CONSTRAINT "Lane_serverId_fkey" FOREIGN KEY ("serverId") REFERENCES "Server" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AuditLog" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "userId" INTEGER,
    "userEmail" TEXT NOT NULL DEFAULT '',
    "action" TEXT NOT NULL,
    "entity" TEXT NOT NULL,
    "entityId" TEXT NOT NULL DEFAULT '',
    "summary" TEXT NOT NULL DEFAULT '',
    "before" JSONB,
    "after" JSONB
);

-- CreateTable
CREATE TABLE "Setting" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "value" JSONB NOT NULL DEFAULT '{}',
    "updatedAt" DATETIME NOT NULL
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_User" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL DEFAULT '',
    "passwordHash" TEXT NOT NULL,
    "role" TEXT NOT NULL DEFAULT 'viewer',
    "sessionVersion" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_User" ("createdAt", "email", "id", "name", "passwordHash", "role", "updatedAt") SELECT "createdAt", "email", "id", "name", "passwordHash", "role", "updatedAt" FROM "User";
DROP TABLE "User";
ALTER TABLE "new_User" RENAME TO "User";
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
CREATE TABLE "new_Operation" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "unitOfWork" TEXT NOT NULL,
    "backend" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "objectId" TEXT NOT NULL,
    "objectLabel" TEXT NOT NULL DEFAULT '',
    "before" JSONB,
    "after" JSONB,
    "identity" TEXT NOT NULL DEFAULT '',
    "serverId" INTEGER NOT NULL,
    "async" BOOLEAN NOT NULL DEFAULT false,
    "state" TEXT NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "runAfter" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "leaseOwner" TEXT,
    "leaseUntil" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Operation_serverId_fkey" FOREIGN KEY ("serverId") REFERENCES "Server" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
INSERT INTO "new_Operation" ("action", "after", "async", "attempts", "backend", "before", "createdAt", "id", "leaseOwner", "leaseUntil", "model", "objectId", "objectLabel", "runAfter", "serverId", "state", "unitOfWork", "updatedAt") SELECT "action", "after", "async", "attempts", "backend", "before", "createdAt", "id", "leaseOwner", "leaseUntil", "model", "objectId", "objectLabel", "runAfter", "serverId", "state", "unitOfWork", "updatedAt" FROM "Operation";
DROP TABLE "Operation";
ALTER TABLE "new_Operation" RENAME TO "Operation";
CREATE INDEX "Operation_state_runAfter_idx" ON "Operation"("state", "runAfter");
CREATE INDEX "Operation_serverId_model_objectId_id_idx" ON "Operation"("serverId", "model", "objectId", "id");
CREATE INDEX "Operation_serverId_backend_state_id_idx" ON "Operation"("serverId", "backend", "state", "id");
CREATE INDEX "Operation_backend_idx" ON "Operation"("backend");
CREATE INDEX "Operation_model_objectId_idx" ON "Operation"("model", "objectId");
CREATE INDEX "Operation_createdAt_idx" ON "Operation"("createdAt");
CREATE TABLE "new_ScriptLog" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "backend" TEXT NOT NULL,
    "serverId" INTEGER NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'RECEIVED',
    "method" TEXT NOT NULL DEFAULT 'ssh',
    "script" TEXT NOT NULL DEFAULT '',
    "stdout" TEXT NOT NULL DEFAULT '',
    "stderr" TEXT NOT NULL DEFAULT '',
    "exitCode" INTEGER,
    "startedAt" DATETIME,
    "finishedAt" DATETIME,
    "cancelRequestedAt" DATETIME,
    "retryOfId" INTEGER,
    "createdById" INTEGER,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ScriptLog_serverId_fkey" FOREIGN KEY ("serverId") REFERENCES "Server" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "ScriptLog_retryOfId_fkey" FOREIGN KEY ("retryOfId") REFERENCES "ScriptLog" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "ScriptLog_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_ScriptLog" ("backend", "createdAt", "createdById", "exitCode", "finishedAt", "id", "method", "retryOfId", "script", "serverId", "startedAt", "state", "stderr", "stdout") SELECT "backend", "createdAt", "createdById", "exitCode", "finishedAt", "id", "method", "retryOfId", "script", "serverId", "startedAt", "state", "stderr", "stdout" FROM "ScriptLog";
DROP TABLE "ScriptLog";
ALTER TABLE "new_ScriptLog" RENAME TO "ScriptLog";
CREATE INDEX "ScriptLog_state_id_idx" ON "ScriptLog"("state", "id");
CREATE INDEX "ScriptLog_serverId_id_idx" ON "ScriptLog"("serverId", "id");
CREATE INDEX "ScriptLog_backend_id_idx" ON "ScriptLog"("backend", "id");
CREATE INDEX "ScriptLog_createdAt_idx" ON "ScriptLog"("createdAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "AuditLog_entity_entityId_id_idx" ON "AuditLog"("entity", "entityId", "id");

-- CreateIndex
CREATE INDEX "AuditLog_createdAt_idx" ON "AuditLog"("createdAt");

