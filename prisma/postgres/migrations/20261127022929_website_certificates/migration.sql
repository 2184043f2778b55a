-- AlterTable
ALTER TABLE "Website" ADD COLUMN     "https" TEXT NOT NULL DEFAULT 'off',
ADD COLUMN     "httpsDomains" JSONB NOT NULL DEFAULT '[]';

-- CreateTable
CREATE TABLE "Certificate" (
    "id" SERIAL NOT NULL,
    "websiteId" INTEGER NOT NULL,
    "serverId" INTEGER NOT NULL,
    "domains" JSONB NOT NULL DEFAULT '[]',
    "notAfter" TIMESTAMP(3),
    "lastError" TEXT NOT NULL DEFAULT '',
    "lastLogId" INTEGER,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Certificate_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Certificate_notAfter_idx" ON "Certificate"("notAfter");

-- CreateIndex
CREATE UNIQUE INDEX "Certificate_websiteId_serverId_key" ON "Certificate"("websiteId", "serverId");

-- AddForeignKey
ALTER TABLE "Certificate" ADD CONSTRAINT "Certificate_websiteId_fkey" FOREIGN KEY ("websiteId") REFERENCES "Website"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Certificate" ADD CONSTRAINT "Certificate_serverId_fkey" FOREIGN KEY ("serverId") REFERENCES "Server"("id") ON DELETE CASCADE ON UPDATE CASCADE;

