-- CreateTable
CREATE TABLE "WebsiteMount" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "websiteId" INTEGER NOT NULL,
    "webAppId" INTEGER NOT NULL,
    "path" TEXT NOT NULL,
    CONSTRAINT "WebsiteMount_websiteId_fkey" FOREIGN KEY ("websiteId") REFERENCES "Website" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "WebsiteMount_webAppId_fkey" FOREIGN KEY ("webAppId") REFERENCES "WebApp" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "WebsiteMount_webAppId_idx" ON "WebsiteMount"("webAppId");

-- CreateIndex
CREATE UNIQUE INDEX "WebsiteMount_websiteId_path_key" ON "WebsiteMount"("websiteId", "path");

