-- CreateTable
CREATE TABLE "WebApp" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "systemUserId" INTEGER NOT NULL,
    "phpVersion" TEXT NOT NULL DEFAULT '8.2',
    "memoryLimit" TEXT NOT NULL DEFAULT '128M',
    "uploadMaxFilesize" TEXT NOT NULL DEFAULT '2M',
    "maxChildren" INTEGER NOT NULL DEFAULT 5,
    "description" TEXT NOT NULL DEFAULT '',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "WebApp_systemUserId_fkey" FOREIGN KEY ("systemUserId") REFERENCES "SystemUser" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "WebApp_name_key" ON "WebApp"("name");

-- CreateIndex
CREATE INDEX "WebApp_systemUserId_idx" ON "WebApp"("systemUserId");

