-- CreateTable
CREATE TABLE "MailDomain" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "MailDomain_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Mailbox" (
    "id" SERIAL NOT NULL,
    "localPart" TEXT NOT NULL,
    "domainId" INTEGER NOT NULL,
    "passwordHash" TEXT,
    "quotaMb" INTEGER NOT NULL DEFAULT 0,
    "description" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Mailbox_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MailAddress" (
    "id" SERIAL NOT NULL,
    "localPart" TEXT NOT NULL,
    "domainId" INTEGER NOT NULL,
    "forwards" JSONB NOT NULL DEFAULT '[]',
    "description" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "MailAddress_pkey" PRIMARY KEY ("id")
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

-- AddForeignKey
ALTER TABLE "Mailbox" ADD CONSTRAINT "Mailbox_domainId_fkey" FOREIGN KEY ("domainId") REFERENCES "MailDomain"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MailAddress" ADD CONSTRAINT "MailAddress_domainId_fkey" FOREIGN KEY ("domainId") REFERENCES "MailDomain"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

