// Every command of `npm run tailored`, in the order the help lists them. An area adds its file here.
import type { CliCommand } from "../command";
import { campaignCommands } from "./campaigns";
import { dailyCommands } from "./daily";
import { dataCommands } from "./data";
import { pixelCommands } from "./pixel";
import { recommendCommands } from "./recommend";
import { predictionCommands } from "./predictions";
import { exportCommands } from "./export";
import { segmentCommands } from "./segments";
import { shopCommands } from "./shops";
import { webhookCommands } from "./webhooks";

export const COMMANDS: CliCommand[] = [
  ...dataCommands,
  ...shopCommands,
  ...webhookCommands,
  ...segmentCommands,
  ...recommendCommands,
  ...pixelCommands,
  // `models` (fit, predict, backtest, and fit-bgnbd / fit-gg from models.ts) and `clusters`.
  ...predictionCommands,
  ...campaignCommands,
  ...exportCommands,
  ...dailyCommands,
];
