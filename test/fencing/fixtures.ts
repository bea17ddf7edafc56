/** CIBs with fence devices, for the fencing tests. */
import { parseCib } from "../../src/cib/parse.js";
import type { Cib } from "../../src/cib/model.js";

export interface DeviceSpec {
  id: string;
  agent: string;
  params: Record<string, string>;
}

export function fencingCib(options: { devices: DeviceSpec[]; levels?: string; nodes?: string[]; properties?: Record<string, string>; nodeAttrs?: Record<string, Record<string, string>> }): Cib {
  const nodes = (options.nodes ?? ["node1", "node2", "node3"])
    .map((n, i) => {
      const attrs = Object.entries(options.nodeAttrs?.[n] ?? {})
        .map(([k, v]) => `<nvpair id="${n}-${k}" name="${k}" value="${v}"/>`)
        .join("");
      return `<node id="${i + 1}" uname="${n}">${attrs ? `<instance_attributes id="${n}-ia">${attrs}</instance_attributes>` : ""}</node>`;
    })
    .join("");
  const devices = options.devices
    .map(
      (d) =>
        `<primitive id="${d.id}" class="stonith" type="${d.agent}"><instance_attributes id="${d.id}-ia">${Object.entries(d.params)
          .map(([k, v]) => `<nvpair id="${d.id}-${k}" name="${k}" value="${v}"/>`)
          .join("")}</instance_attributes></primitive>`,
    )
    .join("");
  const props = Object.entries(options.properties ?? {})
    .map(([k, v]) => `<nvpair id="opt-${k}" name="${k}" value="${v}"/>`)
    .join("");
  return parseCib(
    `<cib validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0"><configuration>` +
      `<crm_config><cluster_property_set id="cib-bootstrap-options">${props}</cluster_property_set></crm_config>` +
      `<nodes>${nodes}</nodes><resources>${devices}</resources><constraints/>` +
      (options.levels ? `<fencing-topology>${options.levels}</fencing-topology>` : "") +
      `</configuration><status/></cib>`,
  );
}
