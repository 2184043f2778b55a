-- CreateTable
CREATE TABLE "Database" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "engine" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Database_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DatabaseUser" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "engine" TEXT NOT NULL,
    "passwordHash" TEXT,
    "hosts" JSONB NOT NULL DEFAULT '["%"]',
    "description" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DatabaseUser_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DatabaseGrant" (
    "id" SERIAL NOT NULL,
    "databaseId" INTEGER NOT NULL,
    "userId" INTEGER NOT NULL,
    "privilege" TEXT NOT NULL DEFAULT 'all',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DatabaseGrant_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Database_name_engine_key" ON "Database"("name", "engine");

-- CreateIndex
CREATE UNIQUE INDEX "DatabaseUser_name_engine_key" ON "DatabaseUser"("name", "engine");

-- CreateIndex
CREATE INDEX "DatabaseGrant_userId_idx" ON "DatabaseGrant"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "DatabaseGrant_databaseId_userId_key" ON "DatabaseGrant"("databaseId", "userId");

-- AddForeignKey
ALTER TABLE "DatabaseGrant" ADD CONSTRAINT "DatabaseGrant_databaseId_fkey" FOREIGN KEY ("databaseId") REFERENCES "Database"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DatabaseGrant" ADD CONSTRAINT "DatabaseGrant_userId_fkey" FOREIGN KEY ("userId") REFERENCES "DatabaseUser"("id") ON DELETE CASCADE ON UPDATE CASCADE;

