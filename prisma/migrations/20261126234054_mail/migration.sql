-- CreateTable
CREATE TABLE "MailDomain" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Mailbox" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "localPart" TEXT NOT NULL,
    "domainId" INTEGER NOT NULL,
    "passwordHash" TEXT,
    "quotaMb" INTEGER NOT NULL DEFAULT 0,
    "description" TEXT NOT NULL DEFAULT '',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Mailbox_domainId_fkey" FOREIGN KEY ("domainId") REFERENCES "MailDomain" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "MailAddress" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "localPart" TEXT NOT NULL,
    "domainId" INTEGER NOT NULL,
    "forwards" JSONB NOT NULL DEFAULT '[]',
    "description" TEXT NOT NULL DEFAULT '',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "MailAddress_domainId_fkey" FOREIGN KEY ("domainId") REFERENCES "MailDomain" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "MailDomain_name_key" ON "MailDomain"("name");

-- CreateIndex
CREATE INDEX "Mailbox_domainId_idx" ON "Mailbox"("domainId");

-- CreateIndex
CREATE UNIQUE INDEX "Mailbox_localPart_domainId_key" ON "Mailbox"("localPart", "domainId");

-- CreateIndex
CREATE INDEX "MailAddress_domainId_idx" ON "MailAddress"("domainId");

-- CreateIndex
CREATE UNIQUE INDEX "MailAddress_localPart_domainId_key" ON "MailAddress"("localPart", "domainId");

