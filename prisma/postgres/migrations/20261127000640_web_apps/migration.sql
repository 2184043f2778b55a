-- CreateTable
CREATE TABLE "WebApp" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "systemUserId" INTEGER NOT NULL,
    "phpVersion" TEXT NOT NULL DEFAULT '8.2',
    "memoryLimit" TEXT NOT NULL DEFAULT '128M',
    "uploadMaxFilesize" TEXT NOT NULL DEFAULT '2M',
    "maxChildren" INTEGER NOT NULL DEFAULT 5,
    "description" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "WebApp_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "WebApp_name_key" ON "WebApp"("name");

-- CreateIndex
CREATE INDEX "WebApp_systemUserId_idx" ON "WebApp"("systemUserId");

-- AddForeignKey
ALTER TABLE "WebApp" ADD CONSTRAINT "WebApp_systemUserId_fkey" FOREIGN KEY ("systemUserId") REFERENCES "SystemUser"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

