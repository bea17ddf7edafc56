/**
 * What a fence agent reads on stdin (the fence agent API): one name=value
 * per line — the action, the target's node name, its port under the
 * device's host argument, then the device's own parameters. Values with a
 * newline cannot be expressed and are refused.
 */
import { agentAction, portFor, type FenceDevice } from "./device.js";

export interface StdinRequest {
  device: FenceDevice;
  /** The cluster's action: off, on, reboot, status, monitor, list, metadata. */
  action: string;
  target?: string;
  /** Where the port goes (agent-metadata.ts hostArgument), undefined: no port line. */
  hostArgument?: string;
}

export function stdinLines(request: StdinRequest): string {
  const { device, target } = request;
  const lines: [string, string][] = [["action", agentAction(device, request.action)]];
  if (target !== undefined) {
    lines.push(["nodename", target]);
    if (request.hostArgument) lines.push([request.hostArgument, portFor(device, target)]);
  }
  const taken = new Set(lines.map(([name]) => name));
  for (const [name, value] of Object.entries(device.agentParams)) if (!taken.has(name)) lines.push([name, value]);
  for (const [name, value] of lines) {
    if (/[\r\n]/.test(value)) throw new Error(`fence device ${device.id}: parameter ${name} holds a line break, which the fence agent API cannot carry`);
  }
  return lines.map(([name, value]) => `${name}=${value}\n`).join("");
}
