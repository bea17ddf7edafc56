/**
 * `pacer configure history`, `diff REV [REV]` and `rollback REV`: the
 * committed configurations the cluster keeps (bounded), compared as crm
 * text; a rollback is an ordinary change (planned, then committed with
 * compare-and-swap).
 */
import type { Command } from "commander";
import { configurationCib } from "../cluster/controller/snapshot.js";
import type { ConfigVersion } from "../cluster/store/types.js";
import { flattenResources } from "../cib/resource-tree.js";
import { printConfiguration } from "../shell/printer.js";
import { diffLines } from "../shell/text-diff.js";
import { withTarget, type ConfigTarget, type TargetOptions } from "./config-target.js";
import { addChangeOptions, change, out, withGlobals, type ChangeOptions } from "./configure-run.js";

/** As many as the store keeps (it bounds the history itself). */
const ALL = 1000;

const crmText = (version: ConfigVersion): string => printConfiguration(configurationCib(version));

async function version(target: ConfigTarget, revision: string): Promise<ConfigVersion> {
  const versions = await target.history(ALL);
  const found = versions.find((v) => v.revision === revision);
  if (!found) throw new Error(`there is no kept configuration at revision ${revision}; kept: ${versions.map((v) => v.revision).join(", ") || "none"}`);
  return found;
}

function historyLine(v: ConfigVersion, older: ConfigVersion | undefined, current: boolean): string {
  const cib = configurationCib(v);
  const size = `${flattenResources(cib.resources).length} resources, ${cib.constraints.length} constraints`;
  const diff = older ? diffLines(crmText(older), crmText(v)) : [];
  const added = diff.filter((l) => l.startsWith("+")).length;
  const removed = diff.length - added;
  const change = older ? `+${added} -${removed} lines` : "oldest kept";
  return `${v.revision.padStart(8)}${current ? " (current)" : "          "}  ${size}; ${change}`;
}

export function registerConfigureHistory(configure: Command): void {
  configure
    .command("history")
    .description("the committed configurations kept, newest first")
    .action(
      withGlobals((opts: TargetOptions) =>
        withTarget(opts, async (target) => {
          const versions = await target.history(ALL);
          if (versions.length === 0) out("nothing committed yet\n");
          versions.forEach((v, i) => out(historyLine(v, versions[i + 1], i === 0) + "\n"));
        }),
      ),
    );
  configure
    .command("diff")
    .description("what changed between two kept configurations (the second defaults to the current one)")
    .argument("<rev>")
    .argument("[rev2]")
    .action(
      withGlobals((rev: string, rev2: string | undefined, opts: TargetOptions) =>
        withTarget(opts, async (target) => {
          const from = await version(target, rev);
          const to = rev2 ? await version(target, rev2) : (await target.history(1))[0];
          const diff = diffLines(crmText(from), crmText(to));
          out(`--- revision ${from.revision}\n+++ revision ${to.revision}\n`);
          out(diff.length > 0 ? diff.join("\n") + "\n" : "(identical)\n");
        }),
      ),
    );
  addChangeOptions(configure.command("rollback").description("commit a kept configuration again (after showing the plan)").argument("<rev>")).action(
    withGlobals((rev: string, opts: ChangeOptions) =>
      change(opts, async (target) => {
        const { xml, revision } = await version(target, rev);
        return { kind: "rollback", revision, xml };
      }),
    ),
  );
}
