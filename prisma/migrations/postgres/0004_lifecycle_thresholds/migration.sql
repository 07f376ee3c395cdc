-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "lifecycleLapsedDays" INTEGER NOT NULL DEFAULT 180,
ADD COLUMN     "lifecycleLapsingDays" INTEGER NOT NULL DEFAULT 90,
ADD COLUMN     "lifecycleLoyalOrders" INTEGER NOT NULL DEFAULT 4;

