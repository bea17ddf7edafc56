#!/bin/sh
# Makes pacer's agents visible under an OCF root, by symlinks:
#   <root>/resource.d/pacer -> agents/resource.d/pacer
#   <root>/lib/pacer        -> agents/lib
# Usage: agents/install.sh [OCF_ROOT]   (default /usr/lib/ocf)
# The agents directory is an OCF root by itself too (OCF_ROOT=<repo>/agents).
set -e
root=${1:-${OCF_ROOT:-/usr/lib/ocf}}
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
mkdir -p "$root/resource.d" "$root/lib"
for link in "$root/resource.d/pacer:$here/resource.d/pacer" "$root/lib/pacer:$here/lib"; do
	path=${link%%:*} target=${link#*:}
	if [ -L "$path" ] || [ ! -e "$path" ]; then
		ln -sfn "$target" "$path"
	else
		echo "install.sh: $path exists and is not a symlink; leaving it alone" >&2
		exit 1
	fi
done
echo "pacer agents installed under $root (ocf:pacer:<agent>)"
