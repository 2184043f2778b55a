-- CreateTable
CREATE TABLE "User" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL DEFAULT '',
    "passwordHash" TEXT NOT NULL,
    "role" TEXT NOT NULL DEFAULT 'viewer',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "SignInFailure" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "key" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Server" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "port" INTEGER NOT NULL DEFAULT 22,
    "sshUser" TEXT NOT NULL DEFAULT 'root',
    "hostKeyFingerprint" TEXT,
    "description" TEXT NOT NULL DEFAULT '',
    "os" TEXT NOT NULL DEFAULT 'linux',
    "variables" JSONB NOT NULL DEFAULT '{}',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Route" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "backend" TEXT NOT NULL,
    "serverId" INTEGER NOT NULL,
    "match" TEXT NOT NULL DEFAULT 'true',
    "async" BOOLEAN NOT NULL DEFAULT false,
    "asyncActions" JSONB NOT NULL DEFAULT '[]',
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Route_serverId_fkey" FOREIGN KEY ("serverId") REFERENCES "Server" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Operation" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "unitOfWork" TEXT NOT NULL,
    "backend" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "objectId" TEXT NOT NULL,
    "objectLabel" TEXT NOT NULL DEFAULT '',
    "before" JSONB,
    "after" JSONB,
    "serverId" INTEGER NOT NULL,
    "async" BOOLEAN NOT NULL DEFAULT false,
    "state" TEXT NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "runAfter" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "leaseOwner" TEXT,
    "leaseUntil" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Operation_serverId_fkey" FOREIGN KEY ("serverId") REFERENCES "Server" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ScriptLog" (
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
    "retryOfId" INTEGER,
    "createdById" INTEGER,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ScriptLog_serverId_fkey" FOREIGN KEY ("serverId") REFERENCES "Server" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "ScriptLog_retryOfId_fkey" FOREIGN KEY ("retryOfId") REFERENCES "ScriptLog" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "ScriptLog_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ScriptLogOperation" (
    "scriptLogId" INTEGER NOT NULL,
    "operationId" INTEGER NOT NULL,

    PRIMARY KEY ("scriptLogId", "operationId"),
    CONSTRAINT "ScriptLogOperation_scriptLogId_fkey" FOREIGN KEY ("scriptLogId") REFERENCES "ScriptLog" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "ScriptLogOperation_operationId_fkey" FOREIGN KEY ("operationId") REFERENCES "Operation" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "SystemUser" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "username" TEXT NOT NULL,
    "uid" INTEGER,
    "shell" TEXT NOT NULL DEFAULT '/bin/bash',
    "home" TEXT NOT NULL DEFAULT '',
    "groups" JSONB NOT NULL DEFAULT '[]',
    "active" BOOLEAN NOT NULL DEFAULT true,
    "description" TEXT NOT NULL DEFAULT '',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

-- CreateIndex
CREATE INDEX "SignInFailure_key_createdAt_idx" ON "SignInFailure"("key", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Server_name_key" ON "Server"("name");

-- CreateIndex
CREATE INDEX "Route_active_idx" ON "Route"("active");

-- CreateIndex
CREATE UNIQUE INDEX "Route_backend_serverId_key" ON "Route"("backend", "serverId");

-- CreateIndex
CREATE INDEX "Operation_state_runAfter_idx" ON "Operation"("state", "runAfter");

-- CreateIndex
CREATE INDEX "Operation_serverId_model_objectId_id_idx" ON "Operation"("serverId", "model", "objectId", "id");

-- CreateIndex
CREATE INDEX "Operation_backend_idx" ON "Operation"("backend");

-- CreateIndex
CREATE INDEX "Operation_model_objectId_idx" ON "Operation"("model", "objectId");

-- CreateIndex
CREATE INDEX "Operation_createdAt_idx" ON "Operation"("createdAt");

-- CreateIndex
CREATE INDEX "ScriptLog_state_id_idx" ON "ScriptLog"("state", "id");

-- CreateIndex
CREATE INDEX "ScriptLog_serverId_id_idx" ON "ScriptLog"("serverId", "id");

-- CreateIndex
CREATE INDEX "ScriptLog_backend_id_idx" ON "ScriptLog"("backend", "id");

-- CreateIndex
CREATE INDEX "ScriptLog_createdAt_idx" ON "ScriptLog"("createdAt");

-- CreateIndex
CREATE INDEX "ScriptLogOperation_operationId_idx" ON "ScriptLogOperation"("operationId");

-- CreateIndex
CREATE UNIQUE INDEX "SystemUser_username_key" ON "SystemUser"("username");

