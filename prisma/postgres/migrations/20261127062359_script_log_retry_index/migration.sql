-- CreateIndex
CREATE INDEX "ScriptLog_retryOfId_idx" ON "ScriptLog"("retryOfId");

