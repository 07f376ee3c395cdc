// Readers of the CDNOW sample (../shared/datasets/cdnow, see its README) for tests: the summary CSVs
// and the raw transaction lines.
import fs from "node:fs";
import path from "node:path";
import { CDNOW_DIR } from "./env";

export type CdnowSummaryRow = { id: number; x: number; tx: number; T: number; zbar: number };

/** cdnow_customers_summary_with_transactions.csv: ID,x,t_x,T,zbar (weeks). */
export function cdnowSummary(): CdnowSummaryRow[] {
  const text = fs.readFileSync(path.join(CDNOW_DIR, "cdnow_customers_summary_with_transactions.csv"), "utf8");
  return text
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((line) => {
      const [id, x, tx, T, zbar] = line.split(",").map(Number);
      return { id: id!, x: x!, tx: tx!, T: T!, zbar: zbar! };
    });
}

export type CdnowTransaction = { customer: number; day: string; cds: number; dollars: number };

/** CDNOW_sample.txt: master id, sample id, YYYYMMDD, CDs, dollars. Customer = sample id. */
export function cdnowSampleTransactions(): CdnowTransaction[] {
  const text = fs.readFileSync(path.join(CDNOW_DIR, "CDNOW_sample.txt"), "utf8");
  return text
    .trim()
    .split(/\r?\n/)
    .map((line) => {
      const [, sample, date, cds, dollars] = line.trim().split(/\s+/);
      return {
        customer: Number(sample),
        day: `${date!.slice(0, 4)}-${date!.slice(4, 6)}-${date!.slice(6, 8)}`,
        cds: Number(cds),
        dollars: Number(dollars),
      };
    });
}
