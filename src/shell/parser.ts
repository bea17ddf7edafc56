/**
 * crm configure text → statements. Pure: no CIB is consulted here (ids,
 * references and agent lookups are checked by build.ts).
 */
import type { Statement } from "./ast.js";
import { Cursor } from "./cursor.js";
import { didYouMean, ShellError } from "./errors.js";
import { tokenize, type Token } from "./lexer.js";
import { parseClone, parseGroup, parseMonitor, parsePrimitive } from "./parse-resources.js";
import { parseColocation, parseLocation, parseOrder } from "./parse-constraints.js";
import { parseAlert, parseDefaults, parseFencing, parseNode, parseTag } from "./parse-other.js";

type CommandParser = (c: Cursor, start: Token) => Statement;

const COMMANDS: Record<string, CommandParser> = {
  primitive: parsePrimitive,
  group: parseGroup,
  clone: parseClone,
  ms: parseClone,
  master: parseClone,
  monitor: parseMonitor,
  location: parseLocation,
  colocation: parseColocation,
  collocation: parseColocation,
  order: parseOrder,
  property: parseDefaults,
  rsc_defaults: parseDefaults,
  op_defaults: parseDefaults,
  node: parseNode,
  fencing_topology: parseFencing,
  "fencing-topology": parseFencing,
  tag: parseTag,
  alert: parseAlert,
};

/** Constructs crmsh has and pacer refuses, with what to do instead. */
const UNSUPPORTED: Record<string, string> = {
  rsc_template: "resource templates (rsc_template) are not supported by pacer; define each primitive with its own agent, parameters and operations",
  rsc_ticket: "tickets (rsc_ticket) are not supported by pacer; pacer runs a single cluster site, use location or colocation constraints",
  bundle: "bundles (container resources) are not supported by pacer; run the container with a primitive (e.g. ocf:heartbeat:podman) instead",
  role: "ACLs (role) are not supported by pacer; etcd authentication controls who may change the cluster",
  acl_target: "ACLs (acl_target) are not supported by pacer; etcd authentication controls who may change the cluster",
  acl_group: "ACLs (acl_group) are not supported by pacer; etcd authentication controls who may change the cluster",
  user: "ACLs (user) are not supported by pacer; etcd authentication controls who may change the cluster",
  xml: "raw XML statements (xml) are not supported in crm text; load the XML file itself instead",
};

export const COMMAND_NAMES = Object.keys(COMMANDS);

export function parseConfigure(text: string): Statement[] {
  return tokenize(text).map((line) => parseStatement(line.tokens));
}

export function parseStatement(tokens: Token[]): Statement {
  const c: Cursor = new Cursor([...tokens]);
  const start = c.next("a command");
  const word = start.value.toLowerCase();
  const unsupported = UNSUPPORTED[word];
  if (unsupported) {
    const [problem, hint] = splitMessage(unsupported);
    throw new ShellError(problem, c.where(start), hint);
  }
  const parse = start.quoted ? undefined : COMMANDS[word];
  if (!parse) c.fail(`unknown command "${start.value}"`, start, didYouMean(word, COMMAND_NAMES) ?? `use one of ${COMMAND_NAMES.join(", ")}`);
  const statement = parse(c, start);
  if (!c.atEnd()) {
    const extra = c.peek() as Token;
    c.fail(`unexpected "${extra.value}"`, extra, hintForExtra(word, extra.value));
  }
  return statement;
}

function splitMessage(message: string): [string, string] {
  const i = message.indexOf("; ");
  return [message.slice(0, i), message.slice(i + 2)];
}

const FOLLOWERS: Record<string, string[]> = {
  primitive: ["params", "meta", "utilization", "op", "operations", "op_params", "op_meta", "description="],
  group: ["params", "meta", "description="],
  clone: ["params", "meta", "description="],
  location: ["rule", "role=", "resource-discovery="],
};

function hintForExtra(command: string, text: string): string | undefined {
  const words = FOLLOWERS[command === "ms" || command === "master" ? "clone" : command];
  const word = text.split("=")[0];
  return (words && didYouMean(word, words.map((w) => w.replace(/=$/, "")))) ?? undefined;
}
