-- CreateTable
CREATE TABLE "Domain" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "primaryNs" TEXT NOT NULL,
    "hostmaster" TEXT NOT NULL DEFAULT '',
    "ttl" INTEGER NOT NULL DEFAULT 3600,
    "refresh" INTEGER NOT NULL DEFAULT 3600,
    "retry" INTEGER NOT NULL DEFAULT 900,
    "expire" INTEGER NOT NULL DEFAULT 1209600,
    "minimum" INTEGER NOT NULL DEFAULT 300,
    "serial" INTEGER NOT NULL DEFAULT 0,
    "description" TEXT NOT NULL DEFAULT '',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "DomainRecord" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "domainId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "ttl" INTEGER,
    "priority" INTEGER,
    "value" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "DomainRecord_domainId_fkey" FOREIGN KEY ("domainId") REFERENCES "Domain" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "Domain_name_key" ON "Domain"("name");

-- CreateIndex
CREATE INDEX "DomainRecord_domainId_idx" ON "DomainRecord"("domainId");

