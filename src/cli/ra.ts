/** `pacer ra`: list, inspect, lint, test and scaffold OCF resource agents. */
import { writeFileSync, existsSync, chmodSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { runAgent } from "../cluster/executor/agent-runner.js";
import { defaultShimsDir } from "../cluster/executor/shims-dir.js";
import { agentName, findAgent, listAgents, pacerAgentsRoot, type LocatedAgent } from "../agents-kit/catalog.js";
import { runCompliance } from "../agents-kit/compliance.js";
import { lintMetadata, hasErrors } from "../agents-kit/lint.js";
import { parseMetadata, type AgentMetadata } from "../agents-kit/metadata.js";
import { formatFindings, formatInfo, formatReport } from "../agents-kit/report.js";
import { scaffoldAgent, TEMPLATES, type Template } from "../agents-kit/scaffold.js";

const BASE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

export function registerRa(program: Command): void {
  const ra = program.command("ra").description("OCF resource agents: list, inspect, lint, test, scaffold");

  ra.command("list")
    .description("installed agents (pacer's agents/ and /usr/lib/ocf/resource.d)")
    .action(() => {
      for (const a of listAgents()) process.stdout.write(`${agentName(a)}\t${a.path}\n`);
    });

  ra.command("info")
    .argument("<agent>", "ocf:provider:type, provider:type, type, or a path")
    .description("parameters, actions and defaults from the agent's meta-data")
    .action(async (name: string) => {
      const agent = findAgent(name);
      process.stdout.write(formatInfo(agentName(agent), await readMetadata(agent)));
    });

  ra.command("meta")
    .argument("<agent>")
    .description("the agent's meta-data XML as it prints it")
    .action(async (name: string) => {
      process.stdout.write(await metadataText(findAgent(name)));
    });

  ra.command("validate")
    .argument("<agent>")
    .description("lint the agent's meta-data and suggest fixes")
    .action(async (name: string) => {
      const agent = findAgent(name);
      const findings = lintMetadata(await readMetadata(agent));
      process.stdout.write(formatFindings(agentName(agent), findings));
      process.exitCode = hasErrors(findings) ? 1 : 0;
    });

  ra.command("test")
    .argument("<agent>")
    .argument("[params...]", "agent parameters as name=value")
    .option("--path <dirs>", "directories put first on the agent's PATH (e.g. stub tools), colon-separated")
    .option("-v, --verbose", "show every step of every check")
    .description("a compliance run: the OCF contract, beyond what ocf-tester checks")
    .action(async (name: string, params: string[], opts: { path?: string; verbose?: boolean }) => {
      const agent = findAgent(name);
      const report = await runCompliance(agent, {
        params: parseParams(params),
        shimsDir: defaultShimsDir(),
        basePath: opts.path ? `${opts.path.split(":").map((d) => resolve(d)).join(":")}:${BASE_PATH}` : BASE_PATH,
      });
      process.stdout.write(formatReport(report, opts.verbose));
      process.exitCode = report.passed ? 0 : 1;
    });

  ra.command("new")
    .argument("<name>", "the agent's type name; the file is created as ./<name> unless -o is given")
    .requiredOption("-t, --template <template>", `one of ${TEMPLATES.join(", ")}`)
    .option("-o, --output <file>", "where to write the agent")
    .option("-f, --force", "overwrite an existing file")
    .description("scaffold a shell agent on pacer's function library")
    .action((name: string, opts: { template: string; output?: string; force?: boolean }) => {
      if (!TEMPLATES.includes(opts.template as Template)) throw new Error(`unknown template '${opts.template}' (use ${TEMPLATES.join(" or ")})`);
      const file = resolve(opts.output ?? name);
      if (existsSync(file) && !opts.force) throw new Error(`${file} exists (use --force to overwrite)`);
      writeFileSync(file, scaffoldAgent({ name, template: opts.template as Template, libDir: join(pacerAgentsRoot(), "lib") }));
      chmodSync(file, 0o755);
      process.stdout.write(`created ${file}\ncheck it: pacer ra test ${file}\n`);
    });
}

function parseParams(args: string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (const arg of args) {
    const eq = arg.indexOf("=");
    if (eq <= 0) throw new Error(`parameter '${arg}' is not name=value`);
    params[arg.slice(0, eq)] = arg.slice(eq + 1);
  }
  return params;
}

async function metadataText(agent: LocatedAgent): Promise<string> {
  const outcome = await runAgent({
    ocfRoot: agent.ocfRoot,
    agent: { class: "ocf", provider: agent.provider, type: agent.type },
    action: "meta-data",
    env: { PATH: BASE_PATH, OCF_ROOT: agent.ocfRoot },
    timeoutMs: 10_000,
  });
  if (outcome.rc !== 0) throw new Error(`${agentName(agent)} meta-data returned ${outcome.rc}: ${outcome.exitReason ?? outcome.stderr.trim()}`);
  return outcome.stdout;
}

export async function readMetadata(agent: LocatedAgent): Promise<AgentMetadata> {
  return parseMetadata(await metadataText(agent), agent.path);
}
