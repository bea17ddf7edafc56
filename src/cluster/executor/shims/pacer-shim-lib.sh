# Shared by pacer's crm_attribute, crm_master, attrd_updater and crm_node
# shims. Sourced, not run. The shims never talk to the cluster store: they
# keep the node's current attribute values in files (so a query right after
# an update sees it) and append each change to a request log that the
# node's executor forwards to the store.
#
# Environment, set by the executor for every agent it runs:
#   PACER_NODE          this node's name
#   PACER_ATTRD_DIR     <state dir>/attrd: values/<node hex>/<name hex>,
#                       requests.log, members

CRM_EX_USAGE=64
CRM_EX_NOSUCH=105

shim_fail() {
	code=$1
	shift
	echo "$SHIM_NAME: $*" >&2
	exit "$code"
}

shim_require_env() {
	if [ -z "$PACER_NODE" ] || [ -z "$PACER_ATTRD_DIR" ]; then
		shim_fail 1 "not running under a pacer node executor (PACER_NODE and PACER_ATTRD_DIR are unset)"
	fi
}

# Hex encoding keeps any name or value (newlines, tabs, slashes) safe in
# file names and in the one-line-per-request log.
shim_hex() {
	printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n'
}

shim_unhex() {
	hex=$1 out=
	while [ -n "$hex" ]; do
		pair=${hex%"${hex#??}"}
		hex=${hex#??}
		out="$out$(printf '\\%03o' "$((0x$pair))")"
	done
	printf "$out"
}

shim_value_file() {
	echo "$PACER_ATTRD_DIR/values/$(shim_hex "$1")/$(shim_hex "$2")"
}

# shim_set NODE NAME LIFETIME VALUE  /  shim_delete NODE NAME LIFETIME
shim_set() {
	file=$(shim_value_file "$1" "$2")
	mkdir -p "${file%/*}" || exit 1
	printf '%s' "$4" >"$file.$$" && mv -f "$file.$$" "$file" || exit 1
	shim_log set "$1" "$2" "$3" "$4"
}

shim_delete() {
	rm -f "$(shim_value_file "$1" "$2")"
	shim_log delete "$1" "$2" "$3" ""
}

# One short line per request, appended in a single write (atomic for O_APPEND).
shim_log() {
	line="$1	$(shim_hex "$2")	$(shim_hex "$3")	$4	$(shim_hex "$5")"
	printf '%s\n' "$line" >>"$PACER_ATTRD_DIR/requests.log" || exit 1
}

# shim_get NODE NAME: prints the value; fails when the attribute is unset.
shim_get() {
	file=$(shim_value_file "$1" "$2")
	[ -f "$file" ] || return 1
	cat "$file"
}

# The node an agent means when it names none: Pacemaker passes it as
# OCF_RESKEY_CRM_meta_on_node, else it is the local node.
shim_default_node() {
	if [ -n "$OCF_RESKEY_CRM_meta_on_node" ]; then
		echo "$OCF_RESKEY_CRM_meta_on_node"
	else
		echo "$PACER_NODE"
	fi
}

# Lifetime spellings: reboot/status = transient, forever/nodes = permanent.
shim_lifetime() {
	case "$1" in
	reboot | status) echo reboot ;;
	forever | nodes) echo forever ;;
	*) echo "$1" ;;
	esac
}
