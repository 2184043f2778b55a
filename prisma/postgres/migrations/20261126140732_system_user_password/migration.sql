-- AlterTable
ALTER TABLE "SystemUser" ADD COLUMN     "passwordHash" TEXT;

