-- CreateTable
CREATE TABLE "Notification" (
    "id" SERIAL NOT NULL,
    "level" TEXT NOT NULL DEFAULT 'error',
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL DEFAULT '',
    "scriptLogId" INTEGER,
    "operationId" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "readAt" TIMESTAMP(3),

    CONSTRAINT "Notification_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Notification_readAt_id_idx" ON "Notification"("readAt", "id");

