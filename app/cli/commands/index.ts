// Every command of `npm run tailored`, in the order the help lists them. An area adds its file here.
import type { CliCommand } from "../command";
import { dataCommands } from "./data";
import { modelCommands } from "./models";
import { recommendCommands } from "./recommend";
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
  ...modelCommands,
  ...exportCommands,
];
