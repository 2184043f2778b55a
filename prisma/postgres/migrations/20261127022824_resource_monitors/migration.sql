-- CreateTable
CREATE TABLE "ResourceData" (
    "id" SERIAL NOT NULL,
    "model" TEXT NOT NULL,
    "objectId" TEXT NOT NULL,
    "resource" TEXT NOT NULL,
    "serverId" INTEGER NOT NULL,
    "backend" TEXT NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,
    "scriptLogId" INTEGER,
    "measuredAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ResourceData_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ResourceLimit" (
    "id" SERIAL NOT NULL,
    "model" TEXT NOT NULL,
    "objectId" TEXT NOT NULL,
    "resource" TEXT NOT NULL,
    "limitValue" DOUBLE PRECISION,
    "value" DOUBLE PRECISION,
    "measuredAt" TIMESTAMP(3),
    "exceededAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ResourceLimit_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ResourceData_model_objectId_resource_measuredAt_idx" ON "ResourceData"("model", "objectId", "resource", "measuredAt");

-- CreateIndex
CREATE INDEX "ResourceData_measuredAt_idx" ON "ResourceData"("measuredAt");

-- CreateIndex
CREATE UNIQUE INDEX "ResourceLimit_model_objectId_resource_key" ON "ResourceLimit"("model", "objectId", "resource");

-- AddForeignKey
ALTER TABLE "ResourceData" ADD CONSTRAINT "ResourceData_serverId_fkey" FOREIGN KEY ("serverId") REFERENCES "Server"("id") ON DELETE CASCADE ON UPDATE CASCADE;

