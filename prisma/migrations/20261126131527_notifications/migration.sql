-- CreateTable
CREATE TABLE "Notification" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "level" TEXT NOT NULL DEFAULT 'error',
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL DEFAULT '',
    "scriptLogId" INTEGER,
    "operationId" INTEGER,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "readAt" DATETIME
);

-- CreateIndex
CREATE INDEX "Notification_readAt_id_idx" ON "Notification"("readAt", "id");

