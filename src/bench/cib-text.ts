/** Small CIB XML pieces the runtime benchmarks and integration tests build their configurations from. */

export function nodesSection(nodes: string[]): string {
  return `<nodes>${nodes.map((n, i) => `<node id="${i + 1}" uname="${n}"/>`).join("")}</nodes>`;
}

/**
 * A configuration with these resources, by default without fencing (the
 * benchmarks rely on self-fencing by lease); `properties` adds or overrides
 * cluster properties (stonith-enabled=true with a fence device among the
 * resources).
 */
export function benchCib(nodes: string[], resourcesXml: string, constraintsXml = "", properties: Record<string, string> = {}): string {
  const { "stonith-enabled": stonith = "false", ...others } = properties;
  return `<cib validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">
  <configuration>
    <crm_config>
      <cluster_property_set id="opts">
        <nvpair id="opts-stonith" name="stonith-enabled" value="${stonith}"/>${nvpairs("opts", others)}
      </cluster_property_set>
    </crm_config>
    ${nodesSection(nodes)}
    <resources>
${resourcesXml}
    </resources>
    <constraints>${constraintsXml}</constraints>
  </configuration>
  <status/>
</cib>
`;
}

function nvpairs(id: string, values: Record<string, string>): string {
  return Object.entries(values)
    .map(([name, value]) => `<nvpair id="${id}-${name}" name="${name}" value="${value}"/>`)
    .join("");
}

/** An ocf:heartbeat primitive with instance attributes, optional meta attributes and one recurring monitor. */
export function primitive(id: string, type: string, params: Record<string, string>, monitorMs: number, meta: Record<string, string> = {}): string {
  const attrs = nvpairs(`${id}-params`, params);
  const metaAttrs = nvpairs(`${id}-meta`, meta);
  return `      <primitive id="${id}" class="ocf" provider="heartbeat" type="${type}">
        ${attrs ? `<instance_attributes id="${id}-params">${attrs}</instance_attributes>` : ""}
        ${metaAttrs ? `<meta_attributes id="${id}-meta">${metaAttrs}</meta_attributes>` : ""}
        <operations><op id="${id}-monitor" name="monitor" interval="${monitorMs}ms" timeout="20s"/></operations>
      </primitive>`;
}

/** A promotable ocf:pacemaker:Stateful clone "<id>-clone" with one recurring monitor per role. */
export function statefulClone(id: string, promotedMonitorMs: number, unpromotedMonitorMs: number): string {
  return `      <clone id="${id}-clone">
        <meta_attributes id="${id}-clone-meta"><nvpair id="${id}-clone-promotable" name="promotable" value="true"/></meta_attributes>
        <primitive id="${id}" class="ocf" provider="pacemaker" type="Stateful">
          <operations>
            <op id="${id}-mon-promoted" name="monitor" interval="${promotedMonitorMs}ms" role="Promoted" timeout="20s"/>
            <op id="${id}-mon-unpromoted" name="monitor" interval="${unpromotedMonitorMs}ms" role="Unpromoted" timeout="20s"/>
          </operations>
        </primitive>
      </clone>`;
}

/** The test fence device (agents/fence/fence_pacer) for a local cluster whose nodes' state dirs lie in `stateRoot`. */
export function fencePacerDevice(id: string, stateRoot: string): string {
  return `      <primitive id="${id}" class="stonith" type="fence_pacer">
        <instance_attributes id="${id}-params"><nvpair id="${id}-state_root" name="state_root" value="${stateRoot}"/></instance_attributes>
        <operations><op id="${id}-monitor" name="monitor" interval="60s" timeout="20s"/></operations>
      </primitive>`;
}
