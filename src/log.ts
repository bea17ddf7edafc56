/**
 * Structured logs (pino), one JSON event per line on stderr so that
 * command output on stdout stays clean. PACER_LOG_LEVEL sets the level.
 */
import { pino, type Logger } from "pino";

// Synchronous writes: a self-fencing node exits at once and its last lines must not be lost.
const root = pino({ level: process.env.PACER_LOG_LEVEL ?? "info", base: { pid: process.pid } }, pino.destination({ dest: 2, sync: true }));

export function logger(component: string, bindings: Record<string, unknown> = {}): Logger {
  return root.child({ component, ...bindings });
}

export type { Logger };
