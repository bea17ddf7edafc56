/**
 * The configuration every drill starts from: a little of each kind the
 * audits judge — plain primitives (a state file and a real process), a
 * group, an anonymous clone and a promotable clone with promoted-max 1 —
 * with monitors short enough that a drill sees failures within seconds.
 * Fencing is off: pacer relies on lease self-fencing until its fencer lands.
 */
export interface BaseConfigOptions {
  nodes: string[];
  /** Recurring monitor interval, seconds. */
  monitorSeconds: number;
  /** Directory for the test-only Fault agent's switch files; adds the "trouble" resource. */
  faultControlDir?: string;
}

export function baseConfig(options: BaseConfigOptions): string {
  const m = options.monitorSeconds;
  const monitor = (id: string, extra = "") => `<operations><op id="${id}-monitor" name="monitor" interval="${m}s" timeout="20s"${extra}/></operations>`;
  const nodes = options.nodes.map((n, i) => `<node id="${i + 1}" uname="${n}"/>`).join("");
  const fault = options.faultControlDir
    ? `<primitive id="trouble" class="ocf" provider="pacer-drill" type="Fault">
        <instance_attributes id="trouble-params"><nvpair id="trouble-control" name="control" value="${options.faultControlDir}"/></instance_attributes>
        <meta_attributes id="trouble-meta"><nvpair id="trouble-mt" name="migration-threshold" value="2"/></meta_attributes>
        <operations><op id="trouble-start" name="start" interval="0" timeout="4s"/><op id="trouble-stop" name="stop" interval="0" timeout="4s"/><op id="trouble-monitor" name="monitor" interval="${m}s" timeout="10s"/></operations>
      </primitive>`
    : "";
  return `<cib validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">
  <configuration>
    <crm_config>
      <cluster_property_set id="cib-bootstrap-options">
        <nvpair id="opt-stonith-enabled" name="stonith-enabled" value="false"/>
        <nvpair id="opt-cluster-name" name="cluster-name" value="drill"/>
      </cluster_property_set>
    </crm_config>
    <nodes>${nodes}</nodes>
    <resources>
      <primitive id="alpha" class="ocf" provider="heartbeat" type="Dummy">${monitor("alpha")}</primitive>
      <primitive id="beta" class="ocf" provider="heartbeat" type="anything">
        <instance_attributes id="beta-params">
          <nvpair id="beta-binfile" name="binfile" value="/bin/sleep"/>
          <nvpair id="beta-cmdline" name="cmdline_options" value="100000"/>
        </instance_attributes>
        ${monitor("beta")}
      </primitive>
      <group id="app">
        <primitive id="app-data" class="ocf" provider="pacer" type="Dummy">${monitor("app-data")}</primitive>
        <primitive id="app-cache" class="ocf" provider="heartbeat" type="Dummy">${monitor("app-cache")}</primitive>
      </group>
      <clone id="everywhere-clone">
        <primitive id="everywhere" class="ocf" provider="heartbeat" type="Dummy">${monitor("everywhere")}</primitive>
      </clone>
      <clone id="db-clone">
        <meta_attributes id="db-clone-meta">
          <nvpair id="db-promotable" name="promotable" value="true"/>
          <nvpair id="db-promoted-max" name="promoted-max" value="1"/>
        </meta_attributes>
        <primitive id="db" class="ocf" provider="pacemaker" type="Stateful">
          <operations>
            <op id="db-monitor-promoted" name="monitor" interval="${m + 1}s" role="Promoted" timeout="20s"/>
            <op id="db-monitor-unpromoted" name="monitor" interval="${m + 2}s" role="Unpromoted" timeout="20s"/>
          </operations>
        </primitive>
      </clone>
      ${fault}
    </resources>
    <constraints/>
    <rsc_defaults>
      <meta_attributes id="rsc-options"><nvpair id="rsc-options-stickiness" name="resource-stickiness" value="100"/></meta_attributes>
    </rsc_defaults>
  </configuration>
  <status/>
</cib>
`;
}
