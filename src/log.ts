/**
 * Structured logs (pino), one JSON event per line on stderr so that
 * command output on stdout stays clean. PACER_LOG_LEVEL sets the level.
 */
import { pino, type Logger } from "pino";

const root = pino({ level: process.env.PACER_LOG_LEVEL ?? "info", base: { pid: process.pid } }, pino.destination(2));

export function logger(component: string, bindings: Record<string, unknown> = {}): Logger {
  return root.child({ component, ...bindings });
}

export type { Logger };
