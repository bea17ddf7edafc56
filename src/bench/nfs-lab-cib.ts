/**
 * The NFS lab's configuration: cib-examples/nfs-drbd.xml's stack (DRBD
 * promotable clone → filesystem → ganesha → VIP, colocated with the
 * promoted instance and started after the promotion) with the lab's
 * devices, paths and addresses. No kernel exportfs (ganesha's own EXPORT
 * block serves the directory) and no fencing: the lab's nodes are lost by
 * pulling their plug, and etcd's lease is what tells the survivor. The
 * circuit breaker is off: it stops automatic recovery when nodes keep going
 * bad, and losing a node again and again is this lab's experiment.
 */
export interface LabCibInput {
  device: string;
  mountPoint: string;
  ganeshaConfig: string;
  ganeshaLog: string;
  drbdConf: string;
  vip: string;
  /** The lab subnet's prefix length. */
  prefix: number;
}

const op = (rsc: string, name: string, interval: string, timeout: string, role?: string) =>
  `<op id="${rsc}-${name}-${interval}${role ? `-${role}` : ""}" name="${name}" interval="${interval}" timeout="${timeout}"${role ? ` role="${role}"` : ""}/>`;

function params(rsc: string, values: Record<string, string>): string {
  const pairs = Object.entries(values).map(([k, v]) => `<nvpair id="${rsc}-${k}" name="${k}" value="${v}"/>`);
  return `<instance_attributes id="${rsc}-params">${pairs.join("")}</instance_attributes>`;
}

export function labCib(input: LabCibInput): string {
  return `<cib validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">
  <configuration>
    <crm_config>
      <cluster_property_set id="opts">
        <nvpair id="opts-stonith-enabled" name="stonith-enabled" value="false"/>
        <nvpair id="opts-no-quorum-policy" name="no-quorum-policy" value="ignore"/>
        <nvpair id="opts-breaker-enabled" name="breaker-enabled" value="false"/>
      </cluster_property_set>
    </crm_config>
    <nodes><node id="1" uname="n1"/><node id="2" uname="n2"/></nodes>
    <resources>
      <clone id="nfs-drbd-clone">
        <meta_attributes id="nfs-drbd-clone-meta">
          <nvpair id="nfs-drbd-clone-promotable" name="promotable" value="true"/>
          <nvpair id="nfs-drbd-clone-promoted-max" name="promoted-max" value="1"/>
          <nvpair id="nfs-drbd-clone-clone-max" name="clone-max" value="2"/>
          <nvpair id="nfs-drbd-clone-clone-node-max" name="clone-node-max" value="1"/>
        </meta_attributes>
        <primitive id="nfs-drbd" class="ocf" provider="pacer" type="drbd">
          ${params("nfs-drbd", { drbd_resource: "r0", drbdconf: input.drbdConf })}
          <operations>${op("nfs-drbd", "monitor", "3s", "20s", "Promoted")}${op("nfs-drbd", "monitor", "4s", "20s", "Unpromoted")}</operations>
        </primitive>
      </clone>
      <group id="nfs-service">
        <primitive id="nfs-fs" class="ocf" provider="pacer" type="fs">
          ${params("nfs-fs", { device: input.device, directory: input.mountPoint, fstype: "ext4" })}
          <operations>${op("nfs-fs", "monitor", "5s", "20s")}</operations>
        </primitive>
        <primitive id="nfs-server" class="ocf" provider="pacer" type="ganesha">
          ${params("nfs-server", { config: input.ganeshaConfig, logfile: input.ganeshaLog })}
          <operations>${op("nfs-server", "monitor", "5s", "20s")}</operations>
        </primitive>
        <primitive id="nfs-vip" class="ocf" provider="pacer" type="vip">
          ${params("nfs-vip", { ip: input.vip, cidr_netmask: String(input.prefix), nic: "eth0" })}
          <operations>${op("nfs-vip", "monitor", "5s", "20s")}</operations>
        </primitive>
      </group>
    </resources>
    <constraints>
      <rsc_colocation id="nfs-service-with-drbd-promoted" rsc="nfs-service" with-rsc="nfs-drbd-clone" with-rsc-role="Promoted" score="INFINITY"/>
      <rsc_order id="nfs-service-after-drbd-promote" first="nfs-drbd-clone" first-action="promote" then="nfs-service" then-action="start" kind="Mandatory"/>
    </constraints>
    <rsc_defaults>
      <meta_attributes id="rsc-options">
        <nvpair id="rsc-options-resource-stickiness" name="resource-stickiness" value="100"/>
      </meta_attributes>
    </rsc_defaults>
  </configuration>
  <status/>
</cib>
`;
}
