/**
 * The stored configuration as a CIB model, parsed once per revision. Apart
 * from the snapshot (snapshot.ts) so that a node daemon that is not DC can
 * read the configuration without loading the DC's snapshot writer.
 */
import { resolveIdRefs } from "../../cib/idrefs.js";
import type { Cib } from "../../cib/model.js";
import { cibFromXml } from "../../cib/parse.js";
import { parseXml, type XmlElement } from "../../cib/xml.js";
import type { ConfigVersion } from "../store/types.js";

/**
 * The last configuration parsed, by its text: the DC needs it every cycle
 * and a node at every join and change, while it changes rarely, and at
 * 10,000 resources parsing it costs more than a scheduler run. The model is
 * never modified in place (callers build new objects from it).
 */
let lastParsed: { xml: string; revision: string; cib: Cib } | undefined;

/** The configuration alone, as a CIB model with an empty status section. */
export function configurationCib(config: ConfigVersion): Cib {
  if (lastParsed?.revision !== config.revision || lastParsed.xml !== config.xml) {
    lastParsed = { xml: config.xml, revision: config.revision, cib: parseConfiguration(config) };
  }
  // Fresh status and ticket lists: the one part of a CIB model code fills in (simulation's injections).
  return { ...lastParsed.cib, status: [], tickets: [] };
}

function parseConfiguration(config: ConfigVersion): Cib {
  const root = parseXml(config.xml);
  // The store may hold either the bare <configuration> or a whole <cib> document.
  const cibRoot: XmlElement =
    root.name === "configuration" ? { name: "cib", attrs: { epoch: config.revision }, children: [root], line: root.line } : root;
  const cib = resolveIdRefs(cibFromXml(cibRoot));
  return { ...cib, status: [], tickets: [] };
}
