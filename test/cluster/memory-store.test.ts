import { MemoryEtcd } from "../../src/cluster/store/memory-store.js";
import { describeStoreContract } from "./store-contract.js";

const etcd = new MemoryEtcd();
describeStoreContract("memory", { connect: (cluster, limits) => etcd.store(cluster, limits), expiryTimeoutMs: 100 });
