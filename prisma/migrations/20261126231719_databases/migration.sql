-- CreateTable
CREATE TABLE "Database" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "engine" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "DatabaseUser" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "engine" TEXT NOT NULL,
    "passwordHash" TEXT,
    "hosts" JSONB NOT NULL DEFAULT '["%"]',
    "description" TEXT NOT NULL DEFAULT '',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "DatabaseGrant" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "databaseId" INTEGER NOT NULL,
    "userId" INTEGER NOT NULL,
    "privilege" TEXT NOT NULL DEFAULT 'all',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "DatabaseGrant_databaseId_fkey" FOREIGN KEY ("databaseId") REFERENCES "Database" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "DatabaseGrant_userId_fkey" FOREIGN KEY ("userId") REFERENCES "DatabaseUser" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "Database_name_engine_key" ON "Database"("name", "engine");

-- CreateIndex
CREATE UNIQUE INDEX "DatabaseUser_name_engine_key" ON "DatabaseUser"("name", "engine");

-- CreateIndex
CREATE INDEX "DatabaseGrant_userId_idx" ON "DatabaseGrant"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "DatabaseGrant_databaseId_userId_key" ON "DatabaseGrant"("databaseId", "userId");

