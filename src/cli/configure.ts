/**
 * `pacer configure load replace|update FILE` and `pacer configure show`:
 * the live cluster's configuration, committed whole or not at all, with
 * compare-and-swap so that a concurrent change is never silently lost.
 */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { CibError } from "../cib/errors.js";
import { resolveIdRefs } from "../cib/idrefs.js";
import { mergeConfiguration } from "../cib/merge.js";
import type { Cib } from "../cib/model.js";
import { cibFromXml } from "../cib/parse.js";
import { readCib } from "../cib/read.js";
import { writeCib, writeConfiguration } from "../cib/write.js";
import { validateCib } from "../cib/validate.js";
import { parseXml } from "../cib/xml.js";
import { configurationCib } from "../cluster/controller/snapshot.js";
import { ConfigConflictError, type ClusterStore } from "../cluster/store/types.js";
import { schedule } from "../scheduler/schedule.js";
import { buildFromText, emptyCib } from "../shell/build.js";
import { printConfiguration } from "../shell/printer.js";
import { addConnectionOptions, withStore, type ConnectionOptions } from "./cluster-connection.js";

type LoadMethod = "replace" | "update";

/** A CIB file (whole <cib> or bare <configuration>) or crm configure text, applied to `current`. */
function loadFile(file: string, method: LoadMethod, current: Cib | undefined): Cib {
  const text = readFileSync(file, "utf8");
  if (/^\s*</.test(text)) {
    const root = parseXml(text, { file });
    const cibRoot = root.name === "configuration" ? { name: "cib", attrs: {}, children: [root], line: root.line } : root;
    const loaded = { ...cibFromXml(cibRoot, { file }), status: [], tickets: [] };
    return method === "update" && current ? mergeConfiguration(current, loaded) : loaded;
  }
  return buildFromText(text, method === "update" && current ? current : emptyCib());
}

/**
 * The validation problems of the configuration as loaded, located at the
 * file's own lines (the XML written back for the full check below has lost
 * its comments and layout, so its line numbers would point elsewhere).
 */
function refuseAtFileLines(cib: Cib, file: string): void {
  const [first] = validateCib(resolveIdRefs(cib), file).filter((p) => p.severity === "error");
  if (first) throw new CibError(first.message, { file, line: first.line, element: first.element, id: first.id });
}

/** Refuse anything pacer could not run: the same checks `pacer simulate` makes, plus a trial schedule. */
function validateForCommit(cib: Cib, file: string): string {
  refuseAtFileLines(cib, file);
  const xml = writeCib(cib);
  const checked = readCib(xml, file);
  schedule({ cib: checked, now: Math.floor(Date.now() / 1000) });
  return writeConfiguration(cib);
}

async function commit(store: ClusterStore, xml: string, revision: string): Promise<string> {
  try {
    return (await store.commitConfig(xml, revision)).revision;
  } catch (err) {
    if (err instanceof ConfigConflictError) {
      throw new Error(
        `someone else committed a configuration change (now at revision ${err.currentRevision}) while this one was prepared; nothing was changed — run the command again to apply it on top of theirs`,
      );
    }
    throw err;
  }
}

export function registerConfigure(program: Command): void {
  const configure = program.command("configure").description("the live cluster's configuration");

  addConnectionOptions(
    configure
      .command("load")
      .description("load a configuration (CIB XML or crm text): replace it whole, or update objects by id")
      .argument("<method>", "replace | update")
      .argument("<file>", "CIB XML or crm configure text"),
  ).action(async (method: string, file: string, opts: ConnectionOptions) => {
    if (method !== "replace" && method !== "update") throw new Error(`unknown load method "${method}": use replace or update`);
    await withStore(opts, async (store) => {
      const current = await store.getConfig();
      const base = current ? configurationCib(current) : undefined;
      let xml: string;
      try {
        xml = validateForCommit(loadFile(file, method, base), file);
      } catch (err) {
        if (err instanceof CibError || (err as Error).name === "ShellError") throw new Error(`${(err as Error).message}\nnothing was committed`);
        throw err;
      }
      const revision = await commit(store, xml, current?.revision ?? "0");
      process.stdout.write(`committed the configuration (revision ${revision})\n`);
    });
  });

  addConnectionOptions(
    configure.command("show").description("print the configuration as crm text (or XML)").option("--xml", "print the CIB XML instead"),
  ).action(async (opts: ConnectionOptions & { xml?: boolean }) => {
    await withStore(opts, async (store) => {
      const current = await store.getConfig();
      if (!current) {
        process.stdout.write("the cluster has no configuration yet (load one with: pacer configure load replace FILE)\n");
        return;
      }
      process.stdout.write(opts.xml ? writeConfiguration(configurationCib(current)) + "\n" : printConfiguration(configurationCib(current)));
    });
  });
}
