#!/bin/sh
# Gives pacer cluster CLUSTER its own etcd user and role, limited to /pacer/CLUSTER/.
# Usage: pacer-rbac.sh CLUSTER [USER]      (USER defaults to pacer-CLUSTER)
# Run once with root credentials, e.g.
#   ETCDCTL_ENDPOINTS=https://10.0.0.1:2379 ETCDCTL_CACERT=ca.crt ETCDCTL_CERT=root.crt ETCDCTL_KEY=root.key \
#     ./pacer-rbac.sh prod
# It asks for the new user's password (or, with --no-password users authenticated by
# certificate CN, skip it: see docs/deployment.md). Enabling auth is left to you, once:
#   etcdctl user add root && etcdctl auth enable
set -eu
cluster=${1:?usage: pacer-rbac.sh CLUSTER [USER]}
user=${2:-pacer-$cluster}
role=pacer-$cluster
etcdctl role add "$role"
# Read and write under the cluster's prefix only; nothing else in etcd.
etcdctl role grant-permission "$role" --prefix=true readwrite "/pacer/$cluster/"
etcdctl user add "$user" --interactive=true
etcdctl user grant-role "$user" "$role"
echo "user $user may read and write /pacer/$cluster/ only"
