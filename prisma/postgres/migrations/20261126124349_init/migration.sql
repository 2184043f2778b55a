-- CreateTable
CREATE TABLE "User" (
    "id" SERIAL NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL DEFAULT '',
    "passwordHash" TEXT NOT NULL,
    "role" TEXT NOT NULL DEFAULT 'viewer',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SignInFailure" (
    "id" SERIAL NOT NULL,
    "key" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SignInFailure_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Server" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "port" INTEGER NOT NULL DEFAULT 22,
    "sshUser" TEXT NOT NULL DEFAULT 'root',
    "hostKeyFingerprint" TEXT,
    "description" TEXT NOT NULL DEFAULT '',
    "os" TEXT NOT NULL DEFAULT 'linux',
    "variables" JSONB NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Server_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Route" (
    "id" SERIAL NOT NULL,
    "backend" TEXT NOT NULL,
    "serverId" INTEGER NOT NULL,
    "match" TEXT NOT NULL DEFAULT 'true',
    "async" BOOLEAN NOT NULL DEFAULT false,
    "asyncActions" JSONB NOT NULL DEFAULT '[]',
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Route_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Operation" (
    "id" SERIAL NOT NULL,
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
    "runAfter" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "leaseOwner" TEXT,
    "leaseUntil" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Operation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ScriptLog" (
    "id" SERIAL NOT NULL,
    "backend" TEXT NOT NULL,
    "serverId" INTEGER NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'RECEIVED',
    "method" TEXT NOT NULL DEFAULT 'ssh',
    "script" TEXT NOT NULL DEFAULT '',
    "stdout" TEXT NOT NULL DEFAULT '',
    "stderr" TEXT NOT NULL DEFAULT '',
    "exitCode" INTEGER,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "retryOfId" INTEGER,
    "createdById" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ScriptLog_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ScriptLogOperation" (
    "scriptLogId" INTEGER NOT NULL,
    "operationId" INTEGER NOT NULL,

    CONSTRAINT "ScriptLogOperation_pkey" PRIMARY KEY ("scriptLogId","operationId")
);

-- CreateTable
CREATE TABLE "SystemUser" (
    "id" SERIAL NOT NULL,
    "username" TEXT NOT NULL,
    "uid" INTEGER,
    "shell" TEXT NOT NULL DEFAULT '/bin/bash',
    "home" TEXT NOT NULL DEFAULT '',
    "groups" JSONB NOT NULL DEFAULT '[]',
    "active" BOOLEAN NOT NULL DEFAULT true,
    "description" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SystemUser_pkey" PRIMARY KEY ("id")
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

-- AddForeignKey
ALTER TABLE "Route" ADD CONSTRAINT "Route_serverId_fkey" FOREIGN KEY ("serverId") REFERENCES "Server"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Operation" ADD CONSTRAINT "Operation_serverId_fkey" FOREIGN KEY ("serverId") REFERENCES "Server"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ScriptLog" ADD CONSTRAINT "ScriptLog_serverId_fkey" FOREIGN KEY ("serverId") REFERENCES "Server"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ScriptLog" ADD CONSTRAINT "ScriptLog_retryOfId_fkey" FOREIGN KEY ("retryOfId") REFERENCES "ScriptLog"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ScriptLog" ADD CONSTRAINT "ScriptLog_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ScriptLogOperation" ADD CONSTRAINT "ScriptLogOperation_scriptLogId_fkey" FOREIGN KEY ("scriptLogId") REFERENCES "ScriptLog"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ScriptLogOperation" ADD CONSTRAINT "ScriptLogOperation_operationId_fkey" FOREIGN KEY ("operationId") REFERENCES "Operation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

