-- CreateTable
CREATE TABLE "WebsiteMount" (
    "id" SERIAL NOT NULL,
    "websiteId" INTEGER NOT NULL,
    "webAppId" INTEGER NOT NULL,
    "path" TEXT NOT NULL,

    CONSTRAINT "WebsiteMount_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "WebsiteMount_webAppId_idx" ON "WebsiteMount"("webAppId");

-- CreateIndex
CREATE UNIQUE INDEX "WebsiteMount_websiteId_path_key" ON "WebsiteMount"("websiteId", "path");

-- AddForeignKey
ALTER TABLE "WebsiteMount" ADD CONSTRAINT "WebsiteMount_websiteId_fkey" FOREIGN KEY ("websiteId") REFERENCES "Website"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebsiteMount" ADD CONSTRAINT "WebsiteMount_webAppId_fkey" FOREIGN KEY ("webAppId") REFERENCES "WebApp"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

