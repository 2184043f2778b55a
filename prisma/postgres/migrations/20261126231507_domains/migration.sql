-- CreateTable
CREATE TABLE "Domain" (
    "id" SERIAL NOT NULL,
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
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Domain_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DomainRecord" (
    "id" SERIAL NOT NULL,
    "domainId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "ttl" INTEGER,
    "priority" INTEGER,
    "value" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DomainRecord_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Domain_name_key" ON "Domain"("name");

-- CreateIndex
CREATE INDEX "DomainRecord_domainId_idx" ON "DomainRecord"("domainId");

-- AddForeignKey
ALTER TABLE "DomainRecord" ADD CONSTRAINT "DomainRecord_domainId_fkey" FOREIGN KEY ("domainId") REFERENCES "Domain"("id") ON DELETE CASCADE ON UPDATE CASCADE;

